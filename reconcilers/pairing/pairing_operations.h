#pragma once
// Pairing operations: pair, unpair (a pairing's token is rotated by RotateToken). See
// reconcilers/operations.h.

#include <string>

#include "reconcilers/operations.h"

namespace seam {

// Pairing seams. `pair` records PairingCreated (a new token, `device_id`, `gateway_url` when
// given, paired_at now) and writes every side; refused when the seam is already paired.
// RotateToken on a pairing seam records PairingTokenRotated. `unpair` records PairingRemoved
// and removes the pairing from every side.
struct PairRequest {
  std::string device_id;
  std::string gateway_url;  // "" when not given
};
Result<OperationReport> Pair(SeamContext& ctx, const SeamConfig& seam, const PairRequest& request);
Result<OperationReport> Unpair(SeamContext& ctx, const SeamConfig& seam, const std::string& reason);

}  // namespace seam
