#include "tools/common/builtin_sides.h"

// Generated from the plugin list in plugins/CMakeLists.txt.
#include "plugins/builtin_plugin_headers.inc"
#include "reconcilers/kinds.h"

namespace seam {

void RegisterBuiltinSides(SideRegistry& registry) {
#define SEAM_BUILTIN_PLUGIN(name, factory) registry.Register(name, factory);
#include "plugins/builtin_plugins.inc"
#undef SEAM_BUILTIN_PLUGIN
}

std::vector<KindFields> BuiltinKinds() { return KnownKinds(); }

}  // namespace seam
