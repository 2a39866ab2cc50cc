#pragma once
// New values seam draws itself (token issue and rotation, `value set --generate`), as the seam's
// `[seam.format]` says: `length` characters of its alphabet, each drawn uniformly from the
// CSPRNG (rejection sampling: no alphabet's character is likelier than another). Without a
// format, 32 random bytes as base64url (43 characters), as tokens always were.

#include <string_view>

#include "core/config.h"
#include "core/secret.h"
#include "core/status.h"

namespace seam {

Result<Secret> GenerateValue(const SeamConfig::Format& format);

// The characters of an alphabet named in [seam.format] ("" for an unknown name).
std::string_view AlphabetChars(std::string_view alphabet);

}  // namespace seam
