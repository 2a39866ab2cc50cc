#pragma once
// The kinds seam reconciles, by name.

#include <string>
#include <vector>

#include "core/side_options.h"
#include "core/config.h"
#include "reconcilers/kind.h"

namespace seam {

// nullptr for a kind seam does not know (the config loader refuses those first).
const KindSpec* FindKindSpec(const std::string& kind);
// The spec as `seam` uses it: a value seam with secret = "false" shows its values plainly
// (value::PlainValueKind).
const KindSpec* FindKindSpec(const SeamConfig& seam);

// Every kind's fields, for the config loader (ConfigSchema::kinds).
std::vector<KindFields> KnownKinds();

}  // namespace seam
