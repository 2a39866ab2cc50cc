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

// The seam's intended state at the log's head.
Result<RecordState> Replay(SeamContext& ctx, const SeamConfig& seam);

// Bad input must not half-apply an operation: every side is observed and checked for
// writability before anything is recorded; one that is unreadable or cannot be written refuses
// the operation (FailedPrecondition naming the side and `command`).
Status PreflightSides(const SeamConfig& seam, const std::string& command);

// Appends `draft` at the replayed version, folds it, and applies the result to every side.
Result<OperationReport> AppendThenApply(SeamContext& ctx, const SeamConfig& seam, RecordState state,
                                        EventDraft draft, const char* operation);

// The side's value adopted into the log (`seamctl adopt`), then written to the other sides.
Result<OperationReport> Adopt(SeamContext& ctx, const SeamConfig& seam, const std::string& from);

}  // namespace seam::operation_steps
