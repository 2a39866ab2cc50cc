#pragma once
// Value operations: set (a given or a generated value) and unset. `adopt`, `wrap` and
// `authority = <side>` are every kind's (reconcilers/operations.h). See reconcilers/operations.h.

#include <optional>
#include <string>

#include "core/secret.h"
#include "reconcilers/operations.h"

namespace seam {

// The largest value `value set` takes (a certificate chain is a certificate seam's business).
inline constexpr std::size_t kMaxValueBytes = 64 * 1024;

// Records `given` (or, when null, a value drawn as the seam's [seam.format] says) as the seam's
// new value, then writes it to every side. Refused before anything is recorded: an empty or
// oversized value, a value with a control character on a seam whose values are shown
// (secret = "false"), a seam of another kind. A given value the log already intends records
// nothing (the report's note says so).
Result<OperationReport> SetValue(SeamContext& ctx, const SeamConfig& seam, const std::optional<Secret>& given);
// ValueUnset, then the value removed from every side.
Result<OperationReport> UnsetValue(SeamContext& ctx, const SeamConfig& seam, const std::string& reason);

}  // namespace seam
