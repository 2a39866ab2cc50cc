#pragma once
// RFC 6901 pointers to one string member of a JSON document, shared by the json-file and
// http-json sides: parsing the pointer, finding the member, and setting or removing it.
// Messages name the pointer and the kinds of values on the way, never a value itself; callers
// prefix them with where the document came from ("<path>: ", "GET <url>: ").

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace seam {

// ordered_json so that a write keeps the other keys in the order the owner wrote them.
using Json = nlohmann::ordered_json;

// "an object", "a string", ... for messages that must not show the value itself.
std::string Described(const Json& j);

// "/"-separated tokens where "~1" means "/" and "~0" means "~"; the whole document ("") is
// refused. The unescaped tokens (never empty), or InvalidArgument with the reason the pointer
// is malformed, worded to follow "key `pointer` ".
Result<std::vector<std::string>> ParseJsonPointer(std::string_view pointer);

// "~0"/"~1" escaping of one token, for messages.
std::string EscapeJsonPointerToken(std::string_view token);

// A parsed pointer: the text as configured and its tokens.
struct JsonPointer {
  std::string text;
  std::vector<std::string> tokens;  // never empty
};

// The string at the pointer: nullptr when the member (or an object on the way) is absent or
// the member is null. FailedPrecondition when the walk meets a non-object ("<pointer>: /devices
// is a string, not an object") or the member is neither a string nor null ("value at <pointer>
// is an object, not a string"). A success means the member can be set and removed too.
Result<const std::string*> FindJsonString(const Json& doc, const JsonPointer& pointer);

// How SetJsonMember removes a member.
enum class JsonRemoval { kErase, kWriteNull };

// Sets the member to `value` (creating the objects on the way), or removes it when `value` is
// nullopt. The member must be modifiable (FindJsonString succeeded on `doc`). The old string
// is wiped before it is replaced. Returns whether `doc` changed: removing an absent member
// (or, with kWriteNull, a null one) changes nothing.
bool SetJsonMember(Json& doc, const JsonPointer& pointer, std::optional<std::string_view> value,
                   JsonRemoval removal);

}  // namespace seam
