#pragma once
// The one routine behind the file sides' targets (json-file, toml-file, yaml-file, env-file):
// the input's first line says where the value is (the side's locator: a JSON pointer, an env
// variable, ...), the rest is the file. Through the side's own factory, Observe and Write on a
// real file under ScratchDir():
//   - Observe never crashes and an unreadable file says why (a non-empty reason);
//   - a Write the side accepts reads back, by a fresh Observe, as exactly the value written;
//   - a Write the side refuses leaves the file byte for byte as it was.
// The value written alternates (by the input's length) between plain text and one that needs
// quoting or escaping in every format.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "core/side.h"
#include "core/side_options.h"
#include "core/status.h"

namespace seam::fuzz {

struct FileSideCase {
  const char* file_name;  // e.g. "paired.json"
  // Sets the side's options from the first line ("path" is set already); false: skip the input.
  std::function<bool(std::string_view locator, SideOptions& options)> configure;
  std::function<Result<std::unique_ptr<Side>>(SideOptions&)> make;
};

int FuzzFileSide(const FileSideCase& c, const std::uint8_t* data, std::size_t size);

// A side located by a JSON pointer alone (json-file, toml-file, yaml-file): the first line is
// its `pointer`.
FileSideCase PointerSide(const char* file_name, Result<std::unique_ptr<Side>> (*make)(SideOptions&));

}  // namespace seam::fuzz
