#pragma once
// `seamctl wrap SEAM -- CMD...`: for tools that rotate tokens or pair devices themselves. Every
// side is observed before and after the command; a side the command changed to a value the log
// does not hold is adopted into the log (TokenAdopted / PairingAdopted, reason "wrap: <command
// line>") and written to the other sides; then the seam gets the ordinary repair pass (policy
// and authority). Running the command is the caller's business (tools/seamctl/cmd_wrap.cc);
// this is the logic on either side of it. The caller holds the seam's writer lock throughout.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "reconcilers/operations.h"
#include "reconcilers/reconcile_pass.h"
#include "reconcilers/record_state.h"
#include "reconcilers/seam_context.h"

namespace seam {

// The log's state and what every side held before the command ran.
struct WrapBefore {
  RecordState state;
  std::vector<Observation> sides;  // one per seam.sides, in that order
};

// Replays the seam's log (a pending operation is left for the repair pass after the command:
// the command may be what settles it) and observes every side. FailedPrecondition naming the
// first unreadable side: the command must not run then, since what it changed could not be told.
Result<WrapBefore> ObserveBeforeWrap(SeamContext& ctx, const SeamConfig& seam);

// How one side moved across the command.
struct WrapSideChange {
  std::string side;
  // A field appeared, vanished or now holds another value (compared value by value: a rewrite
  // of the same value is no change).
  bool changed = false;
  // Changed, and to a value the log does not hold (judged foreign afterwards).
  bool new_value = false;
  bool reversible = true;  // the kind can be adopted and the side's transform lets the value be recovered
  Judgement after;         // the after-observation against the log as it was
};

enum class WrapOutcome {
  kNothingChanged,  // no side changed
  kAdopt,           // one new value (on one side, or the same on several): adopt it
  kFollowLog,       // sides changed, but to values the log holds (or to nothing): repair
  kConflict,        // sides changed to different new values: nothing is adopted
  kIrreversible,    // a new value only on sides it cannot be recovered from: nothing is adopted
  kUnreadable,      // a side is unreadable after the command: nothing is adopted
};

struct WrapDecision {
  WrapOutcome outcome = WrapOutcome::kNothingChanged;
  std::vector<WrapSideChange> sides;  // one per seam.sides, in that order
  std::size_t source = 0;             // kAdopt: the side (index into seam.sides) adopted from
  std::string detail;                 // one line for the outcomes that adopt nothing; no values
};

// Compares `before` and `after` (one observation per side of `seam`) field by field and decides
// what to adopt. A side that changed to a new value is adopted from when its transform is
// reversible (the authority side first, else the first in `order`), provided every other side
// with a new value agrees with it through its own transform.
WrapDecision DecideWrap(const SeamContext& ctx, const SeamConfig& seam, const RecordState& state,
                        const std::vector<Observation>& before, const std::vector<Observation>& after);

struct WrapReport {
  WrapDecision decision;
  std::optional<OperationReport> adoption;  // the adoption, when one was recorded
  std::string adopted_type;                 // its event type ("TokenAdopted", "PairingAdopted")
  std::optional<SeamReport> pass;           // the repair pass that followed, when it ran
  std::vector<std::string> errors;          // trouble: one line each, no values
  // 0 every side in sync, 1 drift remains (or nothing could be adopted), 2 trouble, 3 another
  // writer won the race (retry).
  int code = 0;
};

// The command line as recorded in the event's reason: the arguments joined by spaces, control
// characters and invalid UTF-8 replaced by '?', at most `limit` bytes (cut on a character
// boundary, "..." marking the cut).
std::string WrapCommandLine(const std::vector<std::string>& argv, std::size_t limit = 200);

// After the command: observes every side again, decides (DecideWrap), records and applies the
// adoption (reason "wrap: " + command_line), then runs the repair pass, unless the decision was
// that nothing can be adopted (the sides are then left as the command made them).
WrapReport FinishWrap(SeamContext& ctx, const SeamConfig& seam, WrapBefore before,
                      const std::string& command_line);

}  // namespace seam
