#pragma once
// Token operations: issue, rotate (pairings too), revoke. See reconcilers/operations.h.

#include <string>

#include "reconcilers/operations.h"

namespace seam {

Result<OperationReport> IssueToken(SeamContext& ctx, const SeamConfig& seam);
Result<OperationReport> RotateToken(SeamContext& ctx, const SeamConfig& seam);
Result<OperationReport> RevokeToken(SeamContext& ctx, const SeamConfig& seam, const std::string& reason);

}  // namespace seam
