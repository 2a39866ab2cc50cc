#pragma once
// KindSpec: what the record reconciler (reconcilers/record_state.h) needs to know of one kind of
// shared state: its fields, which one is secret, and how its events change the intended record;
// and what tools show of it: its events' fields, its operations' names. Each kind (token,
// pairing, certificate) provides one, in its own folder.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/side.h"
#include "core/side_options.h"
#include "core/status.h"
#include "reconcilers/event_view.h"

namespace seam {

// How one event changes the intended record.
struct IntentChange {
  enum class What {
    kNone,    // bookkeeping (SideRepaired, ...): intent unchanged
    kSet,     // a whole new record: `plain` holds every non-secret field
    kUpdate,  // the current record with `plain` (and `sealed`, when given) replacing fields
    kClear,   // revoked / removed: no value is intended
  };
  What what = What::kNone;
  std::map<std::string, std::string> plain;
  // The secret field, sealed at this event's version (SealContext(stream, version)); empty
  // when the event does not set it (a sealed value never is: it carries a nonce and a tag).
  std::string sealed;
  // An adoption (TokenAdopted, PairingAdopted): the side the value was taken from.
  std::string adopted_from;

  // Back to "no change", keeping the strings' capacity: a replay decodes every event of a
  // stream into one IntentChange, so a long stream costs no allocation per event.
  void Clear() {
    what = What::kNone;
    plain.clear();
    sealed.clear();
    adopted_from.clear();
  }
};

struct KindSpec {
  KindFields fields;         // kind name, field names (in order), primary field
  std::string secret_field;  // the one field kept sealed in the log ("" when none)
  // How people read the kind, kept here so generic code never compares kind names:
  std::string noun;             // "token", "pairing", "certificate"
  std::string first_operation;  // the command recording a first value: "token issue", "pair"
  std::string cleared_word;     // what its clearing event did: "revoked", "removed"
  // The field whose keyed fingerprint people see for a value ("token", "leaf_sha256").
  std::string fingerprint_field;
  // True when that field is itself a public digest (a certificate's SHA-256): people then see
  // "sha256:" + its first 16 hex digits, which they can compare with `openssl x509 -fingerprint`.
  bool fingerprint_is_public = false;
  // True when values are not secret (a value seam with secret = "false"): people see the value
  // itself, quoted, wherever a fingerprint would be, and an adoption does not seal it.
  bool shown_plain = false;
  // Field holding an expiry as decimal Unix seconds ("" when values do not expire).
  std::string expiry_field;
  // A field sides may carry (not compared) with the earliest expiry of what comes with the value
  // (a certificate's intermediates: "chain_not_after"); "" when none.
  std::string chain_expiry_field;
  // Adoption: the event type recording a value taken from a side, and its payload from the
  // record's plain fields and the sealed secret field. nullptr: this kind cannot be adopted.
  const char* adopted_type = nullptr;
  std::string (*encode_adopted)(const std::map<std::string, std::string>& plain,
                                const std::string& sealed, const std::string& side,
                                const std::string& reason) = nullptr;
  // Clearing: the event type revoking / removing the value, and its payload for `reason`
  // (a removal made at a side with `may_revoke`: "removed on side gateway").
  const char* cleared_type = nullptr;
  std::string (*encode_cleared)(const std::string& reason) = nullptr;
  // What a value must be before it is adopted, beyond being there (a certificate pair: parses,
  // key matches, not expired, chain in order). nullptr: anything a side holds may be. The
  // Status names what is wrong, one line, no secret.
  Status (*check_adopted)(const Observation& observation, std::int64_t now_unix) = nullptr;
  // What a side holding the current value (every compared field right) still lacks of what comes
  // with it, one line for people ("lacks 1 of the 2 intermediate certificates …"), or "" when
  // nothing or when the side does not say. Such a side is `lagging`, not in sync: a server that
  // serves the leaf without its intermediates fails for every client that lacks them (the
  // ingress-nginx#9305 class of bug). nullptr: values come alone.
  std::string (*lacks)(const Record& intended, const Observation& held) = nullptr;
  // Plain fields that are text of many lines (a PEM chain): adopted as they are, never shown.
  // Every other plain field is shown in one-line messages and must hold no control character.
  std::vector<std::string> text_fields;
  // Decodes one event of the kind's stream into `change`, which the caller has cleared
  // (IntentChange::Clear); Corruption when a known type does not decode.
  Status (*decode)(const Event& event, IntentChange& change) = nullptr;
  // What people see of one of the kind's own events (reconcilers/event_view.h): its payload's
  // fields, secrets as keyed fingerprints. nullopt for a type the kind does not know.
  std::optional<EventFields> (*describe)(const Event& event, const KeyRing& keys) = nullptr;
  // What people call each operation, by its event type: "rotation" for TokenRotated, as in
  // "the rotation to version 4".
  std::map<std::string, std::string> operation_nouns;
};

}  // namespace seam
