#pragma once
// The kinds seam reconciles, by name.

#include <string>
#include <vector>

#include "core/side_options.h"
#include "reconcilers/kind.h"

namespace seam {

// nullptr for a kind seam does not know (the config loader refuses those first).
const KindSpec* FindKindSpec(const std::string& kind);

// Every kind's fields, for the config loader (ConfigSchema::kinds).
std::vector<KindFields> KnownKinds();

}  // namespace seam
