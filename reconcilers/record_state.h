#pragma once
// The record reconciler, shared by every kind: folds a `<kind>/<entity>` stream into the
// intended record and judges what a side holds against it, field by field. Pure logic: no I/O
// besides reading the stream through the EventStore interface.
//
// Values stay sealed while replaying: the current record's secret field is opened once
// (OpenCurrent), older ones only when a side is compared with them (Judge).

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/crypto.h"
#include "core/event.h"
#include "core/event_store.h"
#include "core/secret.h"
#include "core/side.h"
#include "core/status.h"
#include "core/transform.h"
#include "reconcilers/kind.h"
#include "reconcilers/sealed_blocks.h"
#include "reconcilers/verdict.h"

namespace seam {

// One record the entity has had, as the log holds it. Small and flat: a replay keeps one per
// value-setting event of the stream, a million for a long one.
struct RecordedValue {
  std::int64_t version = 0;         // stream version of the event that set it
  std::int64_t sealed_version = 0;  // the version `sealed` is bound to
  SealedBlocks::Ref sealed;         // the secret field, sealed (in RecordState::sealed)
  std::uint32_t plain = 0;          // the non-secret fields: RecordState::plain_sets[plain]
};
static_assert(sizeof(RecordedValue) == 32);

// A drift the log holds open (DriftOpened without its DriftClosed), and what has happened to
// the side since, so the DriftClosed can say how it ended.
struct OpenDrift {
  std::int64_t opened_version = 0;  // stream version of the DriftOpened
  std::string verdict;
  std::int64_t holds_version = 0;
  std::string fingerprint;
  std::int64_t last_in_sync_at_us = 0;
  std::int64_t first_seen_at_us = 0;
  std::int64_t side_changed_at_us = 0;
  // Set by later events: "repaired" (SideRepaired, or an operation's SideApplied), "adopted"
  // (the log took a value: from this side, or from another that this side then matched);
  // "" when nothing seam did explains a return to in_sync ("external").
  std::string how;
  std::string cause;  // "SideRepaired by seamd:root@host", "TokenRotated version 4 by ..."
  bool adopted_here = false;  // the log adopted this side's value: that is how it ended
};

// A side the log holds unreadable (SideUnreadable without its SideReadable).
struct UnreadableSpell {
  std::int64_t opened_version = 0;  // stream version of the SideUnreadable
  std::int64_t since_us = 0;
  std::string reason;
};

// An observe-only side's hook that ran and did not bring it to the intended version
// (HookIneffective): not run again for that version while the side holds the same thing.
struct IneffectiveHook {
  std::int64_t version = 0;
  std::string marker;  // keyed fingerprint of the side's change marker after the hook
  std::int64_t at_us = 0;
  std::string detail;
};

inline constexpr std::size_t kRepairTimesKept = 100;  // also the largest repair_budget count

struct RecordState {
  enum class Phase { kUnset, kActive, kRevoked };
  explicit RecordState(const KindSpec& kind_spec) : kind(&kind_spec) {}

  const KindSpec* kind;
  Phase phase = Phase::kUnset;
  std::string stream;                // set by the first event applied
  std::int64_t stream_version = 0;   // version of the stream's last event (any type)
  Hash stream_hash{};                // that event's hash (a kept state checks it is still there)
  std::int64_t current_version = 0;  // version of the event that set the current phase/value
  // The intent's revision, the number people read ("rev 3"): +1 for each event that changed the
  // intended value (issue, rotate, set, adopt, renew, revoke, unset), never for confirmations,
  // repairs or drift records, which share the stream's versions.
  std::int64_t revision = 0;
  // Stream versions of the intents that cleared the value (revoke, unset), in order: with
  // `history` they are every intent, so a history entry's revision is its index + 1 + the
  // clears before it (RevisionAt), and RecordedValue stays 32 bytes.
  std::vector<std::int64_t> cleared_at;
  std::int64_t current_time_us = 0;  // when that happened
  Record value;                      // the current record once OpenCurrent ran, when active
  std::int64_t value_version = 0;    // the version `value` holds; 0 when not opened
  // Every record ever set, oldest first. A deque: a long stream's replay appends one per event,
  // and a vector's regrowth moved them all again (a tenth of a 1M-event replay's profile).
  std::deque<RecordedValue> history;
  SealedBlocks sealed;  // the bytes of history's sealed fields
  // The non-secret fields of history's records, each distinct set once (most events change
  // only the secret field, and a token has no other); [0] is the empty set.
  std::vector<std::map<std::string, std::string>> plain_sets{1};
  // The operation behind the current phase (the type of the event at current_version) and the
  // sides that confirmed it (SideApplied, or SideRepaired writing that version). Sides of the
  // seam missing from `applied` are where the operation is still pending.
  std::string intent_type;
  std::set<std::string> applied;
  // Repair budget bookkeeping: when each side was last repaired (newest last, at most
  // kRepairTimesKept), and whether the seam is flapping (SeamFlapping not yet cleared). seamd's
  // repairs are kept apart from everyone else's and each spends its own budget: a person's
  // `seamctl repair` runs never make seamd's next pass call the seam flapping.
  std::map<std::string, std::vector<std::int64_t>> daemon_repair_times_us;
  std::map<std::string, std::vector<std::int64_t>> other_repair_times_us;
  bool flapping = false;
  std::string flapping_side;
  std::int64_t flapping_since_us = 0;
  // Drift records (reconcilers/drift_events.h): open drifts by side; when the log last saw each
  // side confirmed (SideApplied, SideRepaired, a DriftClosed); each side's last restart marker.
  std::map<std::string, OpenDrift> open_drifts;
  std::map<std::string, std::int64_t> last_confirmed_us;
  std::map<std::string, std::string> restart_markers;
  // Unreadable spells the log holds open, by side. And, kept by the passes themselves (never
  // from the log: a replay starts it afresh), when each side with an open spell was first read
  // again without a break since: the spell ends once that run lasts the pass's hold.
  std::map<std::string, UnreadableSpell> unreadable_spells;
  // The intent version an OperationPending names that no PendingEnded followed (0: none); and
  // whether a SeamExpiring is open (no ExpiringEnded after it).
  std::int64_t pending_recorded_version = 0;
  bool expiring_recorded = false;
  std::map<std::string, std::int64_t> readable_since_us;
  // Hooks that did not help, by side; a confirmation of the side (SideApplied, SideRepaired)
  // forgets its entry.
  std::map<std::string, IneffectiveHook> ineffective_hooks;

  bool active() const { return phase == Phase::kActive; }
  const std::map<std::string, std::string>& plain_of(const RecordedValue& recorded) const {
    return plain_sets[recorded.plain];
  }
};

const char* PhaseName(RecordState::Phase phase);  // "unset" | "active" | "revoked"

// Whether an event's actor is seamd ("seamd:user@host"): its repairs spend seamd's budget.
inline bool IsDaemonActor(const std::string& actor) { return actor == "seamd" || actor.rfind("seamd:", 0) == 0; }

// Applies one event without opening any sealed value. Events the kind does not know are
// skipped (bookkeeping, or newer seam versions); an undecodable payload is Corruption naming
// the seq. REQUIRES: events in version order.
Status Apply(RecordState& state, const Event& event);

// Opens the current record into state.value (no-op if already open or not active). A value
// that does not open (wrong key file, altered event) is Corruption naming the version.
Status OpenCurrent(RecordState& state, const KeyRing& keys);

// Folds a whole stream and opens the current record.
Result<RecordState> Fold(const KindSpec& kind, const std::vector<Event>& events, const KeyRing& keys);

// Brings `state` up to the stream's head (events after state.stream_version), streaming rows,
// then opens the current record.
Status CatchUp(EventStore& store, const std::string& stream, RecordState& state, const KeyRing& keys);

// The same for a state kept between reads (seamd's passes, the probes' sources): it continues
// from its last event while that event is still there unchanged (not so after a log restored
// from a backup), else the stream is replayed from the start. One read gives both that event
// and the ones after it. On an error the state is reset: never kept half-applied.
Status CatchUpKept(EventStore& store, const std::string& stream, RecordState& state, const KeyRing& keys);

// The record of `recorded`, with its secret field opened.
Result<Record> OpenRecord(const RecordState& state, const RecordedValue& recorded, const KeyRing& keys);

// The revision of the value set at stream version `version` (a history entry's), or 0 when no
// value was set there.
std::int64_t RevisionAt(const RecordState& state, std::int64_t version);
// The revision of history[index].
std::int64_t RevisionOf(const RecordState& state, std::size_t index);

// What a side with `transform` stores for `record`: the primary field goes through the
// transform, the others as they are.
Record ForSide(const KindSpec& kind, Transform transform, const Record& record);

// How one side is compared: which fields it maps, and how it stores the primary field.
struct SideShape {
  Transform transform = Transform::kPlain;
  std::vector<std::string> fields;
};

// When values expire (certificates): `expiring` is judged against this.
struct ExpiryPolicy {
  std::int64_t now_us = 0;
  std::int64_t renew_before_us = 0;  // 0: never `expiring`
};

// Judges one side's observation, comparing every mapped field through the side's transform in
// constant time, newest version first. A side holding every mapped field of one version holds
// that version (in_sync when it is the current one, else lagging); one holding none is
// missing; anything else is foreign (or missing, when the fields it has are right but some are
// absent), and `detail` names the fields. A log value that does not open makes the verdict
// `unreadable`, never a guess. REQUIRES: OpenCurrent(state) succeeded.
Judgement Judge(const RecordState& state, const SideShape& side, const Observation& observation,
                const KeyRing& keys, const ExpiryPolicy& expiry = {});

// The fingerprint people see for a record ("" when it has no fingerprint field).
std::string RecordFingerprint(const KindSpec& kind, const Record& record, const KeyRing& keys);

}  // namespace seam
