#pragma once
// UTF-8 checks shared by the sides that read or write text formats (exec's JSON lines, TOML,
// YAML): the strict form (no overlong sequences, no surrogates, nothing past U+10FFFF).

#include <cstddef>
#include <string_view>

namespace seam {

// Length of the valid UTF-8 sequence starting at s[i], 0 when it is not one. REQUIRES: i < size.
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i);

// Whether all of `s` is valid UTF-8.
bool IsValidUtf8(std::string_view s);

}  // namespace seam
