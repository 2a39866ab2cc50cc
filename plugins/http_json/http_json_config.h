#pragma once
// The configuration of one http-json side, taken from its `[seam.sides.NAME]` table, and the
// headers whose values are read (from the environment or a file) at request time. Internal to
// plugins/http_json.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/side_options.h"
#include "core/status.h"
#include "plugins/common/json_pointer.h"
#include "plugins/common/http_client.h"
#include "plugins/common/url.h"

namespace seam {

// One header whose value never sits in seam.toml: `header_from_env = "Authorization: TOKEN_VAR"`
// or `header_from_file = "Authorization: secrets/gateway-auth"` (the file's first line).
struct HeaderSource {
  std::string name;
  bool from_env = false;
  std::string env;             // from_env
  std::filesystem::path file;  // otherwise; resolved against the config file's directory
};

// One mapped field of the kind and the member that holds it.
struct FieldPointer {
  std::string field;  // "token", "device_id", ...
  JsonPointer pointer;
};

struct HttpJsonConfig {
  Url url;
  std::vector<FieldPointer> fields;  // never empty; the kind's field order; no pointer is equal
                                     // to another or a prefix of it
  // `restart_marker`: the member naming the component's run; never equal to, inside, or holding
  // a field's member.
  std::optional<JsonPointer> restart_marker;
  std::string method = "PUT";       // PUT | POST | PATCH
  bool remove_by_delete = true;     // remove = "delete" (default) | "null"
  std::vector<HeaderSource> headers;
  HttpClientOptions client;
};

// Takes every key the side knows, then rejects unknown keys. Errors are InvalidArgument naming
// file, line and key (for a field's pointer: the line it was given on). No I/O.
Result<HttpJsonConfig> TakeHttpJsonConfig(SideOptions& options);

// The header's value, read now. FailedPrecondition naming the header and the variable or file,
// never the value: unset/empty variable, unreadable/empty file, a control character.
Result<std::string> ReadHeaderValue(const HeaderSource& header);

}  // namespace seam
