#pragma once
// Edits of a JSON text that change one member's bytes and keep every other byte: a one-line
// file stays one line, a file indented with tabs stays so, the other strings keep their escapes.
// nlohmann 3.11 parses without positions, so the text is walked here along the pointer; the
// caller parses the result again and compares it with the tree it meant to write.

#include <optional>
#include <string>
#include <string_view>

#include "plugins/common/json_pointer.h"

namespace seam {

// `text` with the member at `pointer` set to the JSON text `value` (already encoded: a string
// with its quotes), or removed when `value` is nullopt. An absent member is added after its
// object's last member with the spacing that object already uses (objects absent on the way are
// added with it, nested). nullopt when the text
// is not shaped as the walk needs (the caller then writes the whole document); `text` must be
// a document ParseJsonDocument accepted.
std::optional<std::string> EditJsonText(std::string_view text, const JsonPointer& pointer,
                                        std::optional<std::string_view> value);

}  // namespace seam
