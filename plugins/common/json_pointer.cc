#include "plugins/common/json_pointer.h"

#include "plugins/common/json_document.h"
#include "plugins/common/utf8.h"
#include "plugins/common/wipe.h"

namespace seam {

std::string Described(const Json& j) {
  switch (j.type()) {
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "a number";
    case Json::value_t::null: return "null";
    case Json::value_t::binary:
    case Json::value_t::discarded: break;
  }
  return "not a JSON value";
}

Result<std::vector<std::string>> ParseJsonPointer(std::string_view pointer) {
  if (pointer.empty()) {
    return Status::InvalidArgument(
        "is empty, which names the whole document; point at an object member such as \"/token\"");
  }
  // Member names are JSON text: a pointer that is not UTF-8 names nothing, and a side writing a
  // member under it could not encode the name (found by tests/fuzz json_file).
  if (!IsValidUtf8(pointer)) return Status::InvalidArgument("is not valid UTF-8");
  if (pointer.front() != '/') {
    return Status::InvalidArgument("must be an RFC 6901 JSON pointer starting with \"/\", got \"" +
                                   std::string(pointer) + "\"");
  }
  std::vector<std::string> tokens(1);
  for (std::size_t i = 1; i < pointer.size(); ++i) {
    char c = pointer[i];
    if (c == '/') {
      tokens.emplace_back();
    } else if (c != '~') {
      tokens.back().push_back(c);
    } else if (i + 1 < pointer.size() && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
      tokens.back().push_back(pointer[++i] == '0' ? '~' : '/');
    } else {
      return Status::InvalidArgument("has a `~` not followed by `0` or `1` at offset " +
                                     std::to_string(i) + " (write `~0` for `~` and `~1` for `/`)");
    }
  }
  // A member this deep sits inside as many objects: a side writing it would make a file its own
  // reader refuses (found by tests/fuzz json_file).
  if (tokens.size() > kJsonMaxDepth) {
    return Status::InvalidArgument("is " + std::to_string(tokens.size()) + " members deep; a JSON document seam reads "
                                   "nests at most " + std::to_string(kJsonMaxDepth) + " levels");
  }
  return tokens;
}

std::string EscapeJsonPointerToken(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<const std::string*> FindJsonString(const Json& doc, const JsonPointer& pointer) {
  const Json* cur = &doc;
  for (std::size_t i = 0; i < pointer.tokens.size(); ++i) {
    if (!cur->is_object()) {
      std::string prefix;
      for (std::size_t k = 0; k < i; ++k) prefix += "/" + EscapeJsonPointerToken(pointer.tokens[k]);
      return Status::FailedPrecondition(pointer.text + ": " + (i == 0 ? "the document" : prefix) + " is " +
                                        Described(*cur) + ", not an object");
    }
    auto it = cur->find(pointer.tokens[i]);
    if (it == cur->end()) return static_cast<const std::string*>(nullptr);
    cur = &*it;
  }
  if (cur->is_null()) return static_cast<const std::string*>(nullptr);
  if (!cur->is_string()) {
    return Status::FailedPrecondition("value at " + pointer.text + " is " + Described(*cur) + ", not a string");
  }
  return &cur->get_ref<const std::string&>();
}

bool SetJsonMember(Json& doc, const JsonPointer& pointer, std::optional<std::string_view> value,
                   JsonRemoval removal) {
  Json* cur = &doc;
  for (std::size_t i = 0; i + 1 < pointer.tokens.size(); ++i) {
    auto it = cur->find(pointer.tokens[i]);
    if (it != cur->end()) {
      cur = &*it;
    } else if (value) {
      cur = &((*cur)[pointer.tokens[i]] = Json::object());
    } else {
      return false;  // nothing to remove
    }
  }
  const std::string& last = pointer.tokens.back();
  auto it = cur->find(last);
  if (!value) {
    if (it == cur->end()) return false;
    if (removal == JsonRemoval::kWriteNull && it->is_null()) return false;
  }
  // The old value is freed by the assignment or the erase: wipe it first.
  if (it != cur->end() && it->is_string()) WipeString(it->get_ref<std::string&>());
  if (value) {
    (*cur)[last] = std::string(*value);
  } else if (removal == JsonRemoval::kWriteNull) {
    (*cur)[last] = nullptr;
  } else {
    cur->erase(last);
  }
  return true;
}

}  // namespace seam
