#pragma once
// JSON string literals written without leaving copies of a secret in freed memory.

#include <string>
#include <string_view>

namespace seam {

// The JSON string literal for `s` (quotes included) appended to `out` without leaving copies
// of it in freed memory; false when `s` is not valid UTF-8.
bool AppendJsonString(std::string& out, std::string_view s);

}  // namespace seam
