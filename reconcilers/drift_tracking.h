#pragma once
// The drift records a repair pass appends (reconcilers/drift_events.h): what it found out of
// sync before repairing, and what it then saw back in sync. Check passes append nothing.

#include <vector>

#include "core/config.h"
#include "core/side.h"
#include "reconcilers/record_state.h"
#include "reconcilers/seam_context.h"
#include "reconcilers/verdict.h"

namespace seam {

// One side as the pass last observed and judged it (borrowed).
struct SideSeen {
  const SideConfig* config;
  const Observation* observation;
  const Judgement* judgement;
  std::int64_t observed_at_us = 0;  // when the observation was made
};

// A drift is a side that does not hold the intended value: lagging, foreign or missing
// (IsDrift). An unreadable side opens none: what it holds is unknown, and a side seam cannot
// read is bad input that must write nothing to the log but the fact that it could not be read:
// an unreadable spell (SideUnreadable once when it begins, SideReadable once the side has been
// read again without a break for `readable_hold_us`). Its open drift, if any, stays open.
// in_sync and expiring sides hold the intended value.

// Notes in state.readable_since_us when each side with an open unreadable spell was first read
// again without a break (forgotten when it is unreadable again). Every pass calls it, looks too:
// the run of readable observations is the passes', not the log's.
void NoteReadability(RecordState& state, const std::vector<SideSeen>& sides);

// Whether RecordDriftsFound would record the start or the end of an unreadable spell.
bool SpellToRecord(const RecordState& state, const std::vector<SideSeen>& sides, std::int64_t readable_hold_us);

// Appends, in one append: a SideRestarted for each side whose restart marker differs from the
// last one recorded; a DriftOpened for each side out of sync with no open drift; for a side
// whose open drift changed (verdict, held version or fingerprint), a DriftClosed "superseded"
// followed by the new DriftOpened (keeping the old one's last_in_sync_at: the side has not been
// in sync since); and for a side seam wrote since its drift opened that is out of sync again,
// the old drift closed as that write made it (repaired, adopted) and a new one opened.
// first_seen_at is the observation's time; side_changed_at is the side's own change time only
// when it falls after last_in_sync_at (an mtime kept by a restored copy, or a server's start
// time long before, says nothing about this drift). A new drift's last_in_sync_at is the later of ctx.confirmations and the log's
// own last confirmation of the side. Also, per side, the start of an unreadable spell (a side
// unreadable with no spell open: SideUnreadable, its reason the side's error line) or its end
// (a spell open and the side read without a break for readable_hold_us since
// state.readable_since_us, after NoteReadability: SideReadable at that first read; with a hold
// of 0 at once, as a one-shot `seamctl repair` does, which cannot watch for a minute).
// Nothing while the seam has no intent (nothing to drift from). A Conflict means another
// writer appended first.
Status RecordDriftsFound(SeamContext& ctx, const SeamConfig& seam, RecordState& state,
                         const std::vector<SideSeen>& sides, std::int64_t readable_hold_us = 0);

// Appends, in one append, a DriftClosed for each side with an open drift that is now in sync
// (how: "repaired" when seam wrote the side since, "adopted" when the log took its value,
// else "external"; at: when the side was seen), and confirms every in-sync side in
// ctx.confirmations (when set) at the time it was observed.
Status RecordDriftsEnded(SeamContext& ctx, const SeamConfig& seam, RecordState& state,
                         const std::vector<SideSeen>& sides);

// Appends a DriftClosed for `side` when it has an open drift that a write seam just made and
// read back (an operation's SideApplied or SideRepaired, already folded into `state`): that
// read-back is the side seen in sync, at `at_us`, so the drift ends there, as the write made it
// (repaired, adopted), rather than at whichever pass comes next.
Status RecordDriftEndedByWrite(SeamContext& ctx, const SeamConfig& seam, RecordState& state,
                               const std::string& side, std::int64_t at_us);

// How a pass leaves the seam, for OperationPending / SeamExpiring (reconcilers/drift_events.h).
struct SeamStateSeen {
  std::vector<std::string> pending;   // sides the current intent has not reached, in `order`
  std::vector<std::string> expiring;  // sides holding a certificate within renew_before
  std::int64_t expiring_not_after = 0;  // the earliest of theirs (Unix seconds)
  std::int64_t not_after = 0;           // the earliest end any side holds (for ExpiringEnded)
  bool all_read = true;                 // no side unreadable: "none expiring" is known
};

// Whether RecordSeamStates would append anything.
bool SeamStateToRecord(const RecordState& state, const SeamStateSeen& seen);

// Appends, in one append: a PendingEnded when an OperationPending is open and nothing is pending
// now ("completed"), or another intent is ("superseded"); an OperationPending when sides are
// pending and the log has not said so for this intent; an ExpiringEnded when a SeamExpiring is
// open and every side was read and none is expiring; a SeamExpiring when a side is expiring and
// none is open. Nothing while the seam has no intent.
Status RecordSeamStates(SeamContext& ctx, const SeamConfig& seam, RecordState& state, const SeamStateSeen& seen);

}  // namespace seam
