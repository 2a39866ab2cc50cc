#include "tools/common/builtin_sides.h"

#include "plugins/json_file/json_file_side.h"

namespace seam {

void RegisterBuiltinSides(SideRegistry& registry) {
  registry.Register("json-file", MakeJsonFileSide);
}

std::vector<std::string> BuiltinKinds() { return {"token"}; }

}  // namespace seam
