#include "tools/common/builtin_sides.h"

#include "plugins/exec/exec_side.h"
#include "plugins/http_json/http_json_side.h"
#include "plugins/json_file/json_file_side.h"
#include "plugins/pem_file/pem_file_side.h"
#include "plugins/sqlite_row/sqlite_row_side.h"
#include "plugins/tls_endpoint/tls_endpoint_side.h"
#include "reconcilers/kinds.h"

namespace seam {

void RegisterBuiltinSides(SideRegistry& registry) {
  registry.Register("exec", MakeExecSide);
  registry.Register("http-json", MakeHttpJsonSide);
  registry.Register("json-file", MakeJsonFileSide);
  registry.Register("pem-file", MakePemFileSide);
  registry.Register("sqlite-row", MakeSqliteRowSide);
  registry.Register("tls-endpoint", MakeTlsEndpointSide);
}

std::vector<KindFields> BuiltinKinds() { return KnownKinds(); }

}  // namespace seam
