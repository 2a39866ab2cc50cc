#pragma once
// The reconcile pass of DESIGN.md for one seam: replay, observe, judge, decide, repair, record.
//
// Check mode never writes anything. Repair mode first completes a pending operation (whatever
// the policy: the user asked for it), then obeys the seam's `repair` policy (off: report only),
// its repair budget (past it the seam is `flapping` and repairs stop until --force) and `authority` (log: overwrite lagging/foreign sides; a side: adopt its foreign value
// into the log first). Every repair re-reads the side, writes only if it is unchanged since it
// was observed (compare-and-swap on the change marker), reads back to confirm, and then appends
// a SideRepaired event. Repair mode also records drifts (reconcilers/drift_tracking.h): a
// DriftOpened for each side found out of sync before repairing, a DriftClosed for each that is
// back in sync at the end.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "reconcilers/record_state.h"
#include "reconcilers/seam_context.h"
#include "reconcilers/verdict.h"

namespace seam {

enum class PassMode { kCheck, kRepair, kDryRun };

struct PassOptions {
  // `seamctl repair --force`: a flapping seam is cleared (FlappingCleared) and repaired, and the
  // repair budget is not applied in this pass.
  bool force = false;
  // A state kept between passes of one seam (seamd): caught up from where it is instead of
  // replayed from the start, so a pass costs the same however long the stream grew. The pass
  // leaves it at the stream's head. nullptr: replay from the start.
  RecordState* state = nullptr;
  // A look: the pass stops right after observing and judging, before it appends or writes
  // anything, when it would do either (a drift on any side, an operation pending, a drift the log
  // holds open, a side restarted since the log last said so, flapping to clear), and says so in
  // SeamReport::deferred; the caller then runs the whole pass. A look that is not deferred has
  // written and appended nothing (it has only confirmed sides in sync in the confirmation book),
  // so a caller may run it without the seam's writer lock: seamd's start-up and full passes
  // over seams in sync, and the passes of seams whose network sides it observed beforehand, whose
  // acting passes run where a write may take its timeout.
  bool defer_acting = false;
  // How long a side with an unreadable spell open must be read without a break before the
  // spell's end is recorded (SideReadable; reconcilers/drift_tracking.h). seamd, which keeps
  // `state` and so sees the run, waits kReadableHoldUs; 0 (a one-shot pass) records it at once.
  std::int64_t readable_hold_us = 0;
};

inline constexpr std::int64_t kReadableHoldUs = 60'000'000;

// A drift the log holds open on a side (DriftOpened without DriftClosed), as of the pass's end.
struct DriftInfo {
  std::int64_t opened_version = 0;  // stream version of its DriftOpened
  std::string verdict;
  std::int64_t last_in_sync_at_us = 0;  // 0 unknown
  std::int64_t first_seen_at_us = 0;
  std::int64_t side_changed_at_us = 0;  // 0 unknown
};

struct SideReport {
  std::string name;
  Judgement judgement;  // after the pass (post-repair when repaired)
  std::string action;   // "" | "repaired" | "adopted" | "revoked"/"removed" (may_revoke) | "would repair" | "would adopt" | "would revoke" | "skipped"
  std::string action_detail;
  std::optional<DriftInfo> drift;  // the side's open drift, if the log holds one
  // When what the side holds expires (the kind's expiry field, certificates' not_after: Unix
  // seconds); 0 when it holds nothing that expires, or the kind has no expiry.
  std::int64_t not_after = 0;
  // The earliest expiry of what comes with it (a certificate chain's intermediates); 0: none.
  std::int64_t chain_not_after = 0;
  // Unreadable now: since when (its unreadable spell's start in the log, else this observation).
  std::int64_t unreadable_since_us = 0;
};

struct SeamReport {
  std::string name;
  std::string kind;
  std::string entity;
  std::string status;  // "in_sync" | "drift" | "unknown" | "unset"
  std::int64_t intended_version = 0;
  std::int64_t intended_revision = 0;  // RecordState::revision: what people read ("rev 3")
  std::string intended_fingerprint;  // "" unless a value is intended
  std::string intended_state;        // "active" | "revoked" | "unset" | "unknown" (log unreadable)
  std::int64_t intended_not_after = 0;  // when the intended value expires (Unix seconds); 0: never/none
  std::vector<SideReport> sides;
  // An operation that has not confirmed every side yet (check; after a repair, what is left).
  std::string pending_operation;          // its intent event type, "" when none is pending
  std::int64_t pending_version = 0;
  std::int64_t pending_revision = 0;
  std::int64_t pending_since_us = 0;       // when its intent was recorded
  std::vector<std::string> pending_sides;  // in `order`
  // The repair budget of a side was spent: repairs stopped until `repair --force`.
  bool flapping = false;
  std::string flapping_side;
  std::int64_t flapping_since_us = 0;
  std::vector<std::string> errors;  // trouble that is not a side verdict (store, conflict, ...)
  bool retryable = false;            // an error was a conflict or a busy lock: retry may succeed
  // An append of a pass fenced by an ownership epoch (SeamContext::epoch) was refused: another
  // agent may own the seam now (core/ownership.h); seamd then retries as that agent's pass.
  bool fenced = false;
  int events_appended = 0;
  bool deferred = false;  // PassOptions::defer_acting stopped the pass: nothing else is set

  // 0 all in sync, 1 drift remains, 2 trouble (unreadable side or an error), 3 only retryable
  // errors (another writer won a race).
  int ExitCode() const;
};

// Runs one pass. A non-ok Result means the seam's log could not be read or replayed at all;
// side trouble is reported inside the SeamReport.
//
// `observed`, when not empty, holds one observation per side of `seam` (in `seam.sides`
// order) made by the caller just before, so that many seams' sides can be observed at once
// (tools/common/side_observer.h); otherwise the pass observes each side itself. Either way a
// repair re-reads the side and writes only if it is unchanged.
Result<SeamReport> RunPass(SeamContext& ctx, const SeamConfig& seam, PassMode mode,
                           std::vector<Observation> observed = {}, const PassOptions& options = {});

}  // namespace seam
