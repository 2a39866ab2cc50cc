#pragma once
// A TOML file (toml++) with each value's bytes located, so a write replaces those bytes alone:
// comments, key order, indentation and the other values' quoting stay as they are.
//
// Places are JSON pointers over the parsed tree (plugins/common/json_pointer.h): each token a
// key of a table (a [table], a dotted key's implicit table, an inline table), or the index of an
// array of tables ("/servers/0/token"). The value at a place is a string or absent; any other
// type is refused rather than replaced.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "core/status.h"
#include "plugins/common/json_pointer.h"

namespace seam {

// Parses `bytes`; a syntax error is InvalidArgument "<file>:LINE:COLUMN: <what toml++ says>".
Result<toml::table> ParseTomlDocument(std::string_view file, std::string_view bytes);

// Where a pointer leads: the table holding the last key, and the node there (null when absent).
struct TomlPlace {
  toml::table* parent = nullptr;  // null when a table on the way is absent
  std::string key;
  toml::node* node = nullptr;
};
// Walks `doc` along `pointer`. FailedPrecondition (naming the pointer and the types on the way,
// never a value) when the walk meets something that is neither a table nor an array of tables,
// an index out of range, or a value at the place that is not a string.
Result<TomlPlace> FindTomlPlace(toml::table& doc, const JsonPointer& pointer);

// Overwrites every string of the tree (best effort: its strings may be secrets).
void WipeToml(toml::node& node);
// Wipes `doc` when the scope ends.
struct TomlWipeGuard {
  toml::table& doc;
  ~TomlWipeGuard() { WipeToml(doc); }
};

// The bytes of a text by toml++'s positions (lines from 1; columns from 1, in code points).
class TomlText {
 public:
  explicit TomlText(std::string_view bytes);
  // The byte offset of a position; nullopt when it lies outside the text.
  std::optional<std::size_t> Offset(const toml::source_position& at) const;
  std::size_t LineStart(std::size_t offset) const;  // the start of the line holding `offset`
  std::size_t LineEnd(std::size_t offset) const;    // past the newline ending that line (or the end)
  std::string_view bytes() const { return bytes_; }

 private:
  std::string_view bytes_;
  std::vector<std::size_t> line_starts_;
};

// `value` as a TOML string: a literal string ('…') when `literal` and the value allows it,
// else a basic string ("…") with escapes. InvalidArgument (never naming the value) when it is
// not UTF-8, which every TOML document must be.
Result<std::string> EncodeTomlString(std::string_view value, bool literal);
// A key as written before `=`: bare when it can be, else a basic string.
std::string EncodeTomlKey(std::string_view key);

}  // namespace seam
