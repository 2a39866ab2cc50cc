#pragma once
// The strings of a JSON, YAML, TOML or env file, each with the place a side would name it by,
// read with the parsers the sides use (so a place found here is one a side can keep).

#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace seam::discover {

struct Spot {
  std::string locator;        // "/a/b" (yaml: "#N/a/b" for document N > 0), or "VAR"
  std::string_view key_name;  // the last key above the value ("" at a top-level sequence)
  std::string_view value;     // valid during the call only; never kept, never shown
  int yaml_document = 0;
};
using SpotFn = std::function<void(const Spot&)>;

// Each calls `fn` for every string value in file order and returns the parser's error (one line
// naming `file`, line and column, never a value) for a file the format cannot read. The parsed
// trees are wiped before returning (best effort: their strings may be secrets).
Status VisitJson(std::string_view file, std::string_view bytes, const SpotFn& fn);
// The number of documents in the file (a side of a file of several needs `document = N`).
Result<int> VisitYaml(std::string_view file, std::string_view bytes, const SpotFn& fn);
Status VisitToml(std::string_view file, std::string_view bytes, const SpotFn& fn);
// Read as the dotenv dialect (python-dotenv, Docker Compose) reads it; bare docker `KEY`s have no value.
Status VisitEnv(std::string_view file, std::string_view bytes, const SpotFn& fn);

}  // namespace seam::discover
