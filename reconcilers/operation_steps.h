#pragma once
// The steps every operation (token issue/rotate/revoke/adopt, pair, unpair, ...) is made of:
// replay the seam's stream, check every side can take the result, append the event, then write
// each side in the seam's `order` and read it back. Shared by token_operations.cc and
// pairing_operations.cc.

#include <string>

#include "core/config.h"
#include "reconcilers/operations.h"
#include "reconcilers/record_state.h"
#include "reconcilers/seam_context.h"

namespace seam::operation_steps {

// An operation waits for the seam's lock after looking at the log (version `seen`). When another
// writer recorded an operation meanwhile, this one is refused (Conflict: who recorded what, and
// that nothing was recorded) rather than done on top of an intent its user never saw.
// Bookkeeping (confirmations, repairs, drift records) does not count.
Status NoIntentRecordedSince(EventStore& log, const SeamConfig& seam, std::int64_t seen);

// The seam's intended state at the log's head, with a pending previous operation completed
// first (FinishPending): an operation never starts on top of one that did not reach every side.
Result<RecordState> Replay(SeamContext& ctx, const SeamConfig& seam);
// The same without completing anything (adoption: the side adopted from may be the one the
// previous operation did not reach, and its value is what the user wants kept).
Result<RecordState> ReplayOnly(SeamContext& ctx, const SeamConfig& seam);

// The order sides are written in: the seam's `order`, except that observe-only sides (a TLS
// endpoint) come after every writable one, because their repair (a server reload) only helps
// once the files it loads are written.
std::vector<const SideConfig*> WriteOrder(const SeamConfig& seam);

// The sides of `seam` that have not confirmed the current intent (state.applied), in `order`.
// Empty when the log holds no intent for the seam. In WriteOrder.
std::vector<const SideConfig*> PendingSides(const SeamConfig& seam, const RecordState& state);

// Completes the current intent on every pending side: writes it where the side does not hold
// it, reads it back, records SideApplied. Done whatever the seam's `repair` policy says:
// finishing what a user asked for is not a drift repair. FailedPrecondition naming the
// operation, its version and the side that could not be completed.
Status FinishPending(SeamContext& ctx, const SeamConfig& seam, RecordState& state);

// Bad input must not half-apply an operation: every side is observed and checked for
// writability before anything is recorded; one that is unreadable or cannot be written refuses
// the operation (FailedPrecondition naming the side and `retry`, the command line to run again).
Status PreflightSides(const SeamConfig& seam, const std::string& retry);

// Appends `draft` at the replayed version (the intent), folds it, then applies it to every side
// in `order`: write, read back, record SideApplied. Fault points (core/fault_point.h) sit after
// the intent, before and after each side's write and after each SideApplied.
Result<OperationReport> AppendThenApply(SeamContext& ctx, const SeamConfig& seam, RecordState state,
                                        EventDraft draft, const char* operation);

// The side's value adopted into the log (`seamctl adopt`), then written to the other sides.
Result<OperationReport> Adopt(SeamContext& ctx, const SeamConfig& seam, const std::string& from);

}  // namespace seam::operation_steps
