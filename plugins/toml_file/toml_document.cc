#include "plugins/toml_file/toml_document.h"

#include <openssl/crypto.h>

#include <sstream>

#include "plugins/common/utf8.h"

namespace seam {
namespace {

std::string TypeName(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
  }
}

}  // namespace

void WipeToml(toml::node& node) {
  if (toml::table* t = node.as_table()) {
    for (auto&& [key, child] : *t) WipeToml(child);
  } else if (toml::array* a = node.as_array()) {
    for (toml::node& child : *a) WipeToml(child);
  } else if (toml::value<std::string>* s = node.as_string()) {
    OPENSSL_cleanse(s->get().data(), s->get().size());
  }
}

Result<toml::table> ParseTomlDocument(std::string_view file, std::string_view bytes) {
  try {
    return toml::parse(bytes, file);
  } catch (const toml::parse_error& e) {
    const toml::source_position at = e.source().begin;
    return Status::InvalidArgument(std::string(file) + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                                   ": " + std::string(e.description()));
  }
}

Result<TomlPlace> FindTomlPlace(toml::table& doc, const JsonPointer& pointer) {
  TomlPlace place;
  toml::node* at = &doc;
  std::string walked;
  for (std::size_t i = 0; i < pointer.tokens.size(); ++i) {
    const std::string& token = pointer.tokens[i];
    const bool last = i + 1 == pointer.tokens.size();
    if (toml::table* t = at->as_table()) {
      if (last) {
        place.parent = t;
        place.key = token;
        place.node = t->get(token);
        break;
      }
      at = t->get(token);
      walked += "/" + EscapeJsonPointerToken(token);
      if (at == nullptr) return place;  // a table on the way is absent
      continue;
    }
    if (toml::array* a = at->as_array()) {
      // Only an array of tables is walked, by index.
      std::size_t index = 0;
      bool numeric = !token.empty() && token.size() < 10;
      for (char c : token) numeric = numeric && c >= '0' && c <= '9';
      if (numeric) index = std::stoul(token);
      if (!numeric || last || index >= a->size() || !a->get(index)->is_table()) {
        return Status::FailedPrecondition(pointer.text + ": " + (walked.empty() ? "/" : walked) +
                                          " is an array; only an existing index of an array of tables is walked");
      }
      at = a->get(index);
      walked += "/" + token;
      continue;
    }
    return Status::FailedPrecondition(pointer.text + ": " + walked + " is " + TypeName(*at) + ", not a table");
  }
  if (place.node != nullptr && !place.node->is_string()) {
    return Status::FailedPrecondition("value at " + pointer.text + " is " + TypeName(*place.node) + ", not a string");
  }
  return place;
}

TomlText::TomlText(std::string_view bytes) : bytes_(bytes) {
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\n') line_starts_.push_back(i + 1);
  }
}

std::optional<std::size_t> TomlText::Offset(const toml::source_position& at) const {
  if (at.line < 1 || at.line > line_starts_.size() || at.column < 1) return std::nullopt;
  std::size_t i = line_starts_[at.line - 1];
  // Columns count code points: step over one UTF-8 sequence per column.
  for (std::uint32_t col = 1; col < at.column; ++col) {
    if (i >= bytes_.size() || bytes_[i] == '\n') return std::nullopt;
    ++i;
    while (i < bytes_.size() && (static_cast<unsigned char>(bytes_[i]) >> 6) == 0x2) ++i;
  }
  return i;
}

std::size_t TomlText::LineStart(std::size_t offset) const {
  while (offset > 0 && bytes_[offset - 1] != '\n') --offset;
  return offset;
}

std::size_t TomlText::LineEnd(std::size_t offset) const {
  while (offset < bytes_.size() && bytes_[offset] != '\n') ++offset;
  return offset < bytes_.size() ? offset + 1 : offset;
}

Result<std::string> EncodeTomlString(std::string_view value, bool literal) {
  if (!IsValidUtf8(value)) return Status::InvalidArgument("the value is not UTF-8, which a TOML file must be");
  bool literal_ok = literal;
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\'' || (u < 0x20 && c != '\t') || u == 0x7f) literal_ok = false;
  }
  if (literal_ok) return "'" + std::string(value) + "'";
  std::string out = "\"";
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (u < 0x20 || u == 0x7f) {
          static const char kHex[] = "0123456789ABCDEF";
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 15];
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string EncodeTomlKey(std::string_view key) {
  bool bare = !key.empty();
  for (char c : key) {
    bare = bare && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
  }
  if (bare) return std::string(key);
  Result<std::string> quoted = EncodeTomlString(key, false);
  return quoted.ok() ? *quoted : "\"\"";
}

}  // namespace seam
