#pragma once
// The places of a side that keeps its fields in a parsed document (toml-file, yaml-file): each
// field at a JSON pointer, taken from the side's `pointer` shorthand and `fields` table.

#include <string>
#include <vector>

#include "core/side_options.h"
#include "core/status.h"
#include "plugins/common/json_pointer.h"

namespace seam {

struct FieldPointer {
  std::string field;
  JsonPointer pointer;
};

// Takes `pointer` and `fields` (SideOptions::TakeFieldMap) and parses each place. InvalidArgument
// naming the line and key for a malformed pointer, or for a pointer two fields share.
Result<std::vector<FieldPointer>> TakeFieldPointers(SideOptions& options);

// The fields, in the kind's order (Side::Fields).
std::vector<std::string> FieldNames(const std::vector<FieldPointer>& places);

// How Describe names the places after the file: "#/a/b" for one field, " (token=#/a, id=#/b)"
// for several.
std::string DescribePlaces(const std::vector<FieldPointer>& places);

}  // namespace seam
