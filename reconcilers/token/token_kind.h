#pragma once
// The `token` kind: one secret field, `token`. Events: TokenIssued, TokenRotated (a new
// value), TokenAdopted (a value taken from a side), TokenRevoked (none intended).

#include "core/secret.h"
#include "core/status.h"
#include "reconcilers/kind.h"

namespace seam::token {

const KindSpec& TokenKind();

// What people see of one of the kind's events (KindSpec::describe; token_describe.cc).
std::optional<EventFields> Describe(const Event& event, const KeyRing& keys);

// A fresh token: 32 random bytes, base64url (43 characters).
Result<Secret> NewTokenValue();

}  // namespace seam::token
