#pragma once
// The token reconciler: folds a `token/<entity>` stream into intended state and judges what a
// side holds against it. Pure logic: no I/O, no store access.

#include <cstdint>
#include <string>
#include <vector>

#include "core/crypto.h"
#include "core/event.h"
#include "core/event_store.h"
#include "core/secret.h"
#include "core/side.h"
#include "core/status.h"
#include "core/transform.h"
#include "reconcilers/verdict.h"

namespace seam::token {

// One value the token has had, kept sealed: it is opened only when a side is compared with it,
// so replaying a long history costs no decryption.
struct TokenValue {
  std::int64_t version = 0;  // stream version of the event that set it
  std::string sealed;        // KeyRing::Seal output, associated data SealContext(stream, version)
};

struct TokenState {
  enum class Phase { kUnset, kActive, kRevoked };
  Phase phase = Phase::kUnset;
  std::string stream;                // set by the first event applied
  std::int64_t stream_version = 0;   // version of the stream's last event (any type)
  std::int64_t current_version = 0;  // version of the event that set the current phase/value
  std::int64_t current_time_us = 0;  // when that happened
  Secret value;                      // the current value once OpenCurrent ran, when kActive
  std::int64_t value_version = 0;    // the version `value` holds; 0 when not opened
  std::vector<TokenValue> history;   // every value ever set, oldest first

  bool active() const { return phase == Phase::kActive; }
};

const char* PhaseName(TokenState::Phase phase);  // "unset" | "active" | "revoked"

// Applies one event of the stream to `state` without opening any sealed value. Unknown event
// types are skipped (they belong to newer seam versions or to bookkeeping such as SideRepaired);
// an undecodable payload is Corruption naming the seq.
// REQUIRES: events are applied in version order. Call OpenCurrent before using state.value.
Status Apply(TokenState& state, const Event& event);

// Opens the current value into state.value (no-op if already open or not active). A value that
// does not open (wrong key file, altered event) is Corruption naming the version.
Status OpenCurrent(TokenState& state, const KeyRing& keys);

// Folds a whole stream and opens the current value.
Result<TokenState> Fold(const std::vector<Event>& events, const KeyRing& keys);

// Brings `state` up to the stream's head in `store` (events after state.stream_version),
// streaming rows without materialising them, then opens the current value.
Status CatchUp(EventStore& store, const std::string& stream, TokenState& state, const KeyRing& keys);

// Judges one side's observation against the state, comparing through `transform` in constant
// time, newest version first (older values are opened only as needed). `fingerprint` is of the
// plaintext token when the side's value matched a known version, else of the stored form itself.
// A log value that does not open makes the verdict `unreadable`, never a guess.
// REQUIRES: OpenCurrent(state) succeeded.
Judgement Judge(const TokenState& state, Transform transform, const Observation& observation,
                const KeyRing& keys);

// A fresh token: 32 random bytes, base64url (43 characters).
Result<Secret> NewTokenValue();

}  // namespace seam::token
