#pragma once
// The one step that changes a side, shared by operations and repair passes: write the intended
// state to the side (or remove it), run its on_repair hook, read it back, confirm, and record
// the outcome in the log (SideApplied, or SideRepaired keeping what a foreign side held, sealed).
//
// A write is compare-and-swap: it happens only if the side still holds what the step (or, for a
// repair, the pass) observed, through the side's change marker.

#include <optional>
#include <string>

#include "core/config.h"
#include "core/side.h"
#include "reconcilers/record_state.h"
#include "reconcilers/seam_context.h"
#include "reconcilers/verdict.h"

namespace seam {

enum class ApplyPurpose {
  // Apply the operation just recorded. A side already holding it is confirmed as it is.
  kOperation,
  // Finish an earlier operation on a side it did not reach. As kOperation, but the side's hook
  // runs even when the side already holds the value (the earlier attempt may have died between
  // its write and its hook), and a foreign value on the seam's authority side is left for the
  // pass to adopt.
  kCompletion,
  // Bring a drifting side back (a repair pass). `decided_on` is what the pass observed and
  // judged; the side is always written (or reloaded), and the outcome is a SideRepaired.
  kRepair,
};

// What the pass decided a repair on (borrowed).
struct ApplyDecision {
  const Observation& observation;
  const Judgement& judgement;
};

struct ApplyOutcome {
  // Ok: the side holds the intended state and the log records it (SideApplied / SideRepaired
  // appended and folded into the state). Not ok: why, one line; a Conflict when another writer
  // appended first. An error after the record says so ("written and recorded, but …").
  Status status;
  // kRepair only: the side no longer held what was decided on, so nothing was written
  // (FailedPrecondition); the caller observes and decides again.
  bool changed = false;
  // The side's hook was not run: it ran for this version before and did not help, and the side
  // has not changed since (HookIneffective). `repair --force` runs it again.
  bool held_back = false;
  // The side as read back and judged after the write, when it got that far.
  std::optional<Observation> after;
  std::optional<Judgement> confirmed;
  std::int64_t confirmed_at_us = 0;  // when it was read back
};

// REQUIRES: `decided_on` set exactly when purpose == kRepair.
ApplyOutcome ApplyToSide(SeamContext& ctx, const SeamConfig& seam, RecordState& state, const SideConfig& side,
                         ApplyPurpose purpose, const std::optional<ApplyDecision>& decided_on = std::nullopt);

}  // namespace seam
