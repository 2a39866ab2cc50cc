#pragma once
// The built-in side plugins, registered one explicit line each (no static initialisers),
// generated from the one plugin list in plugins/CMakeLists.txt.

#include <vector>

#include "core/side_options.h"
#include "core/side_registry.h"

namespace seam {

void RegisterBuiltinSides(SideRegistry& registry);

// The kinds that have a reconciler.
std::vector<KindFields> BuiltinKinds();

}  // namespace seam
