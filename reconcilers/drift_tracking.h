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
};

// A drift is a side that does not hold the intended value: lagging, foreign or missing
// (IsDrift). An unreadable side opens none: what it holds is unknown, and a side seam cannot
// read is bad input that must not write to the log (its open drift, if any, stays open).
// in_sync and expiring sides hold the intended value.

// Appends, in one append: a SideRestarted for each side whose restart marker differs from the
// last one recorded; a DriftOpened for each side out of sync with no open drift; and for a side
// whose open drift changed (verdict, held version or fingerprint), a DriftClosed "superseded"
// followed by the new DriftOpened (keeping the old one's last_in_sync_at: the side has not been
// in sync since). A new drift's last_in_sync_at is the later of ctx.confirmations and the log's
// own last confirmation of the side. Nothing while the seam has no intent (nothing to drift
// from). A Conflict means another writer appended first.
Status RecordDriftsFound(SeamContext& ctx, const SeamConfig& seam, RecordState& state,
                         const std::vector<SideSeen>& sides);

// Appends, in one append, a DriftClosed for each side with an open drift that is now in sync
// (how: "repaired" when seam wrote the side since, "adopted" when the log took its value,
// else "external"), and confirms every in-sync side in ctx.confirmations (when set).
Status RecordDriftsEnded(SeamContext& ctx, const SeamConfig& seam, RecordState& state,
                         const std::vector<SideSeen>& sides);

}  // namespace seam
