#include "tools/common/builtin_sides.h"

#include "plugins/exec/exec_side.h"
#include "plugins/http_json/http_json_side.h"
#include "plugins/json_file/json_file_side.h"
#include "plugins/sqlite_row/sqlite_row_side.h"

namespace seam {

void RegisterBuiltinSides(SideRegistry& registry) {
  registry.Register("exec", MakeExecSide);
  registry.Register("http-json", MakeHttpJsonSide);
  registry.Register("json-file", MakeJsonFileSide);
  registry.Register("sqlite-row", MakeSqliteRowSide);
}

std::vector<std::string> BuiltinKinds() { return {"token"}; }

}  // namespace seam
