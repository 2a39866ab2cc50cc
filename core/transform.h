#pragma once
// Transform: how a side stores the entity's value. `plain` stores it as is; `sha256-hex` stores
// the lower-case hex SHA-256 of it (a gateway that only needs to verify a bearer token).
// The reconciler compares and writes values *through* the side's transform.

#include <optional>
#include <string>

#include "core/secret.h"

namespace seam {

enum class Transform { kPlain, kSha256Hex };

std::optional<Transform> ParseTransform(const std::string& name);
const char* TransformName(Transform t);

// True when the original value can be recovered from the stored form (needed for adoption).
bool TransformIsReversible(Transform t);

Secret ApplyTransform(Transform t, const Secret& value);

}  // namespace seam
