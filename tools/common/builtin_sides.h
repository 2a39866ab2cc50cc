#pragma once
// The built-in side plugins, registered one explicit line each (no static initialisers).

#include "core/side_registry.h"

namespace seam {

void RegisterBuiltinSides(SideRegistry& registry);

// The kinds that have a reconciler.
std::vector<std::string> BuiltinKinds();

}  // namespace seam
