#pragma once
// The audit of one seam, folded from its own stream: operations and which sides each reached,
// drifts with their brackets and how they ended, repairs, adoptions, flapping spells, restarts,
// unreadable spells.
// Typed facts only; tools render them (tools/common/audit_timeline.h: JSON and sentences for
// `seamctl audit`, `seamctl drift` and the HTML page). Never holds a secret value, only keyed
// fingerprints.
//
// Reads only the seam's own stream (indexed by stream: no scan of the whole log, no chain
// verification: `seamctl verify` does that).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/event.h"
#include "core/event_store.h"
#include "core/status.h"
#include "reconcilers/event_view.h"

namespace seam {

class KeyRing;

// Which events the audit lists, by event time (UTC microseconds, inclusive); 0: unbounded.
// Events after `until_us` are left out entirely: the audit is what the log said at until_us.
// Events before `since_us` are still read (a drift's missed operation may be older) but not
// listed; drifts, flapping and unreadable spells that overlap the window are listed.
struct AuditWindow {
  std::int64_t since_us = 0;
  std::int64_t until_us = 0;
};

// One event of the stream, as the audit lists it.
struct AuditEntry {
  Event event;         // payload cleared: what people see of it is `fields`
  EventFields fields;  // DescribeEventFields: secrets as keyed fingerprints
  // "operation", "adoption", "revocation", "confirmation", "repair", "drift_opened",
  // "drift_closed", "flapping", "flapping_cleared", "restart", "hook_ineffective", "repair_started",
  // "unreadable", "readable", "pending", "pending_ended", "expiring", "expiring_ended", "other" (a
  // type this build does not know).
  std::string category;
  std::string side;          // the side it concerns ("" none): an adoption's source side
  std::string adopted_from;  // an adoption: the side the value was taken from
  std::string error;         // the payload does not decode or unseal ("" it does)
  bool clears = false;       // an intent that clears the value (a revocation, a removal)
};

// A side reaching an operation: first confirmed holding its version at `at_us`.
struct AuditReach {
  std::string side;
  std::int64_t at_us = 0;
  bool by_repair = false;  // a SideRepaired wrote it (not the operation itself)
};

// An event that changed the intended value, and where it reached by the end of the audit.
struct AuditOperation {
  std::int64_t version = 0;
  std::int64_t revision = 0;  // the intent's revision (1, 2, 3 …: RecordState::revision)
  std::string event;
  std::int64_t time_us = 0;
  std::string actor;
  std::string fingerprint;  // the value it intends ("" none: a revocation)
  std::string category;     // "operation" | "adoption" | "revocation"
  std::vector<AuditReach> reached;  // configured sides in config order, then sides it no longer names
  std::vector<std::string> missed;  // configured sides that never confirmed it
  std::string adopted_from;
  bool listed = false;  // inside the window
};

// An operation as a drift saw it when it was found.
struct AuditOperationRef {
  std::int64_t version = 0;
  std::string event;
  std::int64_t time_us = 0;
  std::string actor;
  std::string fingerprint;
  std::vector<std::string> reached_before;  // sides that had confirmed it when the drift was found
  std::int64_t confirmed_at_us = 0;         // the drifting side's last confirmation of it; 0 none
};

// The first time the value a foreign side holds was seen on some side.
struct AuditSighting {
  std::int64_t version = 0;  // the event that saw it
  std::int64_t time_us = 0;
  std::string side;
  std::string event;
  int times = 0;  // sightings of that value before this drift
};

struct AuditDriftEnd {
  std::string how;  // "repaired" | "adopted" | "external" | "superseded"
  std::int64_t at_us = 0;
  std::string cause;
  std::int64_t version = 0;     // the DriftClosed event
  std::optional<std::string> by;  // who repaired or adopted, read from the cause
  std::string recorded_by;
};

// A spell a side could not be read (SideUnreadable until its SideReadable).
struct AuditUnreadable {
  std::string side;
  std::string reason;
  std::int64_t since_us = 0;
  std::int64_t until_us = 0;        // when it was read again (the SideReadable's `at`); 0 still unreadable
  std::int64_t opened_version = 0;  // the SideUnreadable event
  std::int64_t closed_version = 0;  // the SideReadable event; 0 none
};

struct AuditDrift {
  std::string side;
  std::string verdict;  // "lagging" | "foreign" | "missing"
  std::int64_t holds_version = 0;  // 0 none
  std::string fingerprint;
  std::int64_t intended_version = 0;
  std::int64_t opened_version = 0;
  std::int64_t last_in_sync_at_us = 0;  // 0 unknown
  std::int64_t first_seen_at_us = 0;
  std::int64_t side_changed_at_us = 0;  // 0 unknown
  // Lagging or missing: the first intent after what the side holds that it never confirmed.
  std::optional<AuditOperationRef> missed_operation;
  // Foreign: the value was seen before (a repair overwrote it, an earlier drift).
  std::optional<AuditSighting> seen_before;
  std::optional<AuditDriftEnd> closed;  // nullopt: still open
  std::int64_t opened_at_us = 0;
  std::string opened_by;
  std::string detail;
  // Lagging: the newest intent it did confirm and has lost since (a restore, a stale copy).
  std::optional<AuditOperationRef> lost_operation;
  // The side could not be read for a while before the drift was found (a spell that began after
  // its last confirmation): the drift began during that spell or just before it. As the log
  // knew it when the drift was recorded (until_us 0: the spell had not ended yet then).
  std::optional<AuditUnreadable> during_unreadable;
};

struct AuditRestart {
  std::string side;
  std::int64_t time_us = 0;
  std::string marker;
  std::string previous_marker;
  std::int64_t started_at_us = 0;  // 0 unknown
};

struct AuditFlapping {
  std::string side;
  std::int64_t since_us = 0;
  std::int64_t cleared_us = 0;  // 0 still flapping
};

struct AuditTimeline {
  const SeamConfig* seam = nullptr;
  AuditWindow window;
  std::int64_t first_event_us = 0;  // 0: the stream is empty
  std::int64_t intended_version = 0;
  std::string intended_state = "unset";  // "unset" | "active" | "revoked"
  std::string intended_fingerprint;
  // In stream order; what the window lists, but for `operations`.
  std::vector<AuditEntry> entries;
  std::vector<AuditOperation> operations;  // every one, listed or not (a drift may point at an older one)
  std::vector<AuditDrift> drifts;
  std::vector<AuditRestart> restarts;
  std::vector<AuditFlapping> flapping;
  std::vector<AuditUnreadable> unreadable;  // spells that overlap the window, by start
  std::int64_t errors = 0;  // events whose payload does not decode or unseal, listed or not

  // The operation at `version`, listed or not; nullptr when none.
  const AuditOperation* OperationAt(std::int64_t version) const;
  // "rev 2" for the operation at `version`; "version N" when no operation is there.
  std::string RevisionText(std::int64_t version) const;
  // The drift opened at `version`; nullptr when none is listed.
  const AuditDrift* DriftOpenedAt(std::int64_t version) const;
};

// Folds the seam's stream. An event whose payload does not decode or unseal is listed with its
// error (and counted), never hidden. InvalidArgument for a kind this build does not know; a
// store error as the store reported it. `seam` must outlive the timeline.
Result<AuditTimeline> FoldAudit(EventStore& store, const KeyRing& keys, const SeamConfig& seam,
                                const AuditWindow& window);

// The seam's current drift (from a timeline folded with an unbounded window): the open one (the
// earliest first seen when several sides drift), else the most recently opened.
struct CurrentDriftChoice {
  const AuditDrift* drift = nullptr;         // nullptr: no drift recorded
  const AuditOperation* operation = nullptr;  // the operation it missed, if any
  std::vector<const AuditDrift*> also_open;   // other open drifts, earliest first seen first
  bool open = false;
};
CurrentDriftChoice ChooseCurrentDrift(const AuditTimeline& timeline);

}  // namespace seam
