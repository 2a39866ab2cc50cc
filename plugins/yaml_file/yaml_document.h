#pragma once
// A YAML file (yaml-cpp's event parser) as a tree that keeps where each node was written, so a
// write replaces one scalar's bytes and nothing else.
//
// yaml-cpp 0.7 gives each node a start (a byte offset) but no end: a scalar's extent is found
// here (a plain scalar's text is its value; a quoted one ends at its closing quote), and every
// edit is checked by parsing the result again (yaml_file_side.cc). Aliases are kept as aliases,
// never expanded, so a "billion laughs" file costs what its bytes cost.
//
// Places are JSON pointers over one document (plugins/common/json_pointer.h): each token a key of
// a mapping or an index of a sequence ("/services/api/environment/0").

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "plugins/common/json_pointer.h"

namespace seam {

// More nodes than any configuration file has: past it the file is refused, not held in memory.
inline constexpr std::size_t kYamlMaxNodes = 1 << 18;

struct YamlNode {
  enum class Kind { kNull, kScalar, kSequence, kMapping, kAlias };
  Kind kind = Kind::kNull;
  // "?" for a plain scalar or an untagged collection, "!" for a quoted or block scalar, else the
  // explicit tag. Empty only in a tree built to compare with: any tag matches.
  std::string tag;
  std::size_t anchor_id = 0;  // yaml-cpp's id of the anchor this node defines (0: none)
  std::string anchor;         // its name
  std::size_t alias_of = 0;   // kAlias: the anchor id it refers to
  std::string value;          // kScalar
  bool flow = false;          // a collection written in flow style ({…} or […])
  std::size_t pos = 0;        // byte offset of the node's first character (its anchor or tag, when it has one)
  std::size_t column = 0;     // from 0
  std::vector<YamlNode> items;  // kSequence: the items; kMapping: key, value, key, value, …
};

// Every document of `bytes` (none for an empty file or one of comments only). A syntax error is
// InvalidArgument "<file>:LINE:COLUMN: <what yaml-cpp says>", never a value.
Result<std::vector<YamlNode>> ParseYamlDocuments(std::string_view file, std::string_view bytes);

// The trees are equal but for positions and styles; a tag left empty in `want` matches any.
bool SameYamlTree(const YamlNode& got, const YamlNode& want);
void WipeYaml(YamlNode& node);  // best effort: scalars may be secrets

// Where a pointer leads in one document.
struct YamlPlace {
  YamlNode* parent = nullptr;  // the mapping or sequence holding the place; null when one on the way is absent
  YamlNode* key = nullptr;     // in a mapping: the key's node (null when the key is absent)
  YamlNode* node = nullptr;    // the node there, an alias followed to its anchor (null when absent)
  std::string alias;           // an alias on the way or at the place ("*base"), "" none
  std::string anchored;        // an anchor on the way or at the place ("&base"), "" none
  std::size_t index = 0;       // in a sequence: the index
};
// Walks `doc` along `pointer`. FailedPrecondition (naming the pointer and the kinds on the way,
// never a value) when the walk meets a scalar, a sequence index out of range, a key written twice
// in one mapping, an absent key in a mapping that merges another (<<), or a mapping or sequence at
// the place itself.
Result<YamlPlace> FindYamlPlace(YamlNode& doc, const JsonPointer& pointer);

// What a plain scalar resolves to (YAML 1.1 and 1.2 core schemas together: `yes` and `0o17` alike).
enum class YamlPlainType { kString, kNull, kBool, kInt, kFloat, kTimestamp };
YamlPlainType ResolveYamlPlain(std::string_view text);

enum class YamlStyle { kPlain, kSingle, kDouble };
// `value` as a scalar: in `style` when it reads back as the same string and (plain) resolves to
// `keep`, else single-quoted when `style` was, else double-quoted with escapes. `flow`: inside
// {…} or […], where `,[]{}` end a plain scalar. InvalidArgument (never naming the value) when it
// is not UTF-8, which a YAML file is.
Result<std::string> EncodeYamlScalar(std::string_view value, YamlStyle style, YamlPlainType keep, bool flow);

// The end (one past the last byte) of the scalar `node` in `bytes`, and its style; nullopt when it
// is not one single-line plain or quoted scalar written where the node says (a block scalar, one
// spanning lines, one with a tag or anchor in front).
struct YamlSpan {
  std::size_t begin = 0, end = 0;
  YamlStyle style = YamlStyle::kPlain;
};
std::optional<YamlSpan> FindYamlScalarSpan(std::string_view bytes, const YamlNode& node);

}  // namespace seam
