#include "plugins/yaml_file/yaml_document.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include "plugins/common/utf8.h"
#include "plugins/common/wipe.h"

namespace seam {
namespace {

struct TooManyNodes {};

// Builds the tree from yaml-cpp's events. Positions are yaml-cpp's byte offsets, which do not
// count a UTF-8 byte order mark: `base` adds it back.
class TreeBuilder final : public YAML::EventHandler {
 public:
  TreeBuilder(std::size_t base, std::size_t max_nodes) : base_(base), max_nodes_(max_nodes) {}

  std::vector<YamlNode> docs;

  void OnDocumentStart(const YAML::Mark& /*mark*/) override {
    docs.emplace_back();
    open_.clear();
    have_root_ = false;
  }
  void OnDocumentEnd() override {}
  void OnAnchor(const YAML::Mark& /*mark*/, const std::string& name) override { anchor_name_ = name; }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    YamlNode n = Start(YamlNode::Kind::kNull, mark, "?", anchor);
    Add(std::move(n));
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    YamlNode n = Start(YamlNode::Kind::kAlias, mark, "?", 0);
    n.alias_of = anchor;
    Add(std::move(n));
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, const std::string& value) override {
    YamlNode n = Start(YamlNode::Kind::kScalar, mark, tag, anchor);
    n.value = value;
    Add(std::move(n));
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    Open(Start(YamlNode::Kind::kSequence, mark, tag, anchor), style);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    Open(Start(YamlNode::Kind::kMapping, mark, tag, anchor), style);
  }
  void OnMapEnd() override { Close(); }

 private:
  YamlNode Start(YamlNode::Kind kind, const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor) {
    if (++nodes_ > max_nodes_) throw TooManyNodes{};
    YamlNode n;
    n.kind = kind;
    n.tag = tag;
    n.anchor_id = anchor;
    if (anchor != 0) n.anchor = std::move(anchor_name_);
    anchor_name_.clear();
    n.pos = base_ + static_cast<std::size_t>(mark.pos < 0 ? 0 : mark.pos);
    n.column = static_cast<std::size_t>(mark.column < 0 ? 0 : mark.column);
    return n;
  }
  // Collections are built on a stack of their own and moved into their parent when they close, so
  // no pointer into a vector that may still grow is ever kept.
  void Open(YamlNode n, YAML::EmitterStyle::value style) {
    n.flow = style == YAML::EmitterStyle::Flow;
    open_.push_back(std::move(n));
  }
  void Close() {
    YamlNode n = std::move(open_.back());
    open_.pop_back();
    Add(std::move(n));
  }
  void Add(YamlNode n) {
    if (!open_.empty()) {
      open_.back().items.push_back(std::move(n));
    } else if (!have_root_ && !docs.empty()) {
      docs.back() = std::move(n);
      have_root_ = true;
    }
  }

  std::size_t base_;
  std::size_t nodes_ = 0;
  std::size_t max_nodes_;
  std::vector<YamlNode> open_;
  bool have_root_ = false;
  std::string anchor_name_;
};

const char* KindName(const YamlNode& n) {
  switch (n.kind) {
    case YamlNode::Kind::kNull: return "null";
    case YamlNode::Kind::kScalar: return "a scalar";
    case YamlNode::Kind::kSequence: return "a sequence";
    case YamlNode::Kind::kMapping: return "a mapping";
    case YamlNode::Kind::kAlias: return "an alias";
  }
  return "nothing";
}

// The node an alias refers to: the last node before it in the document defining that anchor.
YamlNode* FindAnchor(YamlNode& at, std::size_t id, const YamlNode* alias, YamlNode*& found, bool& passed) {
  if (&at == alias) {
    passed = true;
    return found;
  }
  if (at.anchor_id == id) found = &at;
  for (YamlNode& child : at.items) {
    FindAnchor(child, id, alias, found, passed);
    if (passed) return found;
  }
  return found;
}

YamlNode* Follow(YamlNode& doc, YamlNode* node, std::string& alias) {
  for (int hops = 0; node != nullptr && node->kind == YamlNode::Kind::kAlias && hops < 64; ++hops) {
    YamlNode* found = nullptr;
    bool passed = false;
    FindAnchor(doc, node->alias_of, node, found, passed);
    if (alias.empty()) alias = "*" + (found != nullptr ? found->anchor : std::string("?"));
    node = found;
  }
  return node;
}

bool IsControl(unsigned char u) { return u < 0x20 || u == 0x7f; }

// A plain scalar that a parser reads back as exactly `value`: one line, printable ASCII, nothing
// that starts an indicator, a comment or (inside flow collections) ends the scalar.
bool PlainSafe(std::string_view value, bool flow) {
  if (value.empty() || value.front() == ' ' || value.back() == ' ' || value.back() == ':') return false;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(value.front()) != std::string_view::npos) return false;
  if (value.substr(0, 3) == "..." || value.substr(0, 3) == "---") return false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto u = static_cast<unsigned char>(value[i]);
    if (u >= 0x80 || IsControl(u)) return false;
    if (value[i] == ':' && i + 1 < value.size() && value[i + 1] == ' ') return false;
    if (value[i] == '#' && value[i - 1] == ' ') return false;
    if (flow && std::string_view(",[]{}").find(value[i]) != std::string_view::npos) return false;
  }
  return true;
}

std::string SingleQuoted(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

bool SingleSafe(std::string_view value) {
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto u = static_cast<unsigned char>(value[i]);
    if (IsControl(u)) return false;
    // U+0085, U+2028 and U+2029 are line breaks to YAML 1.1 and would be folded.
    if (u == 0xc2 && i + 1 < value.size() && static_cast<unsigned char>(value[i + 1]) == 0x85) return false;
    if (u == 0xe2 && i + 2 < value.size() && static_cast<unsigned char>(value[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(value[i + 2]) == 0xa8 || static_cast<unsigned char>(value[i + 2]) == 0xa9)) {
      return false;
    }
  }
  return true;
}

std::string DoubleQuoted(std::string_view value) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\0': out += "\\0"; continue;
      case '\t': out += "\\t"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      default: break;
    }
    if (IsControl(u)) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else if (u == 0xc2 && i + 1 < value.size() && static_cast<unsigned char>(value[i + 1]) == 0x85) {
      out += "\\u0085";  // not \\N: yaml-cpp 0.7 reads that as the byte 0x85, not U+0085
      ++i;
    } else if (u == 0xe2 && i + 2 < value.size() && static_cast<unsigned char>(value[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(value[i + 2]) == 0xa8 || static_cast<unsigned char>(value[i + 2]) == 0xa9)) {
      out += static_cast<unsigned char>(value[i + 2]) == 0xa8 ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

Result<std::vector<YamlNode>> ParseYamlDocuments(std::string_view file, std::string_view bytes) {
  // yaml-cpp takes any byte; YAML allows printable Unicode only, and a NUL or stray byte in a
  // config file means it is not the file the side was told about.
  std::size_t line = 1, line_start = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto u = static_cast<unsigned char>(bytes[i]);
    if (u == '\n') {
      ++line;
      line_start = i + 1;
    }
    const bool control = (u < 0x20 && u != '\n' && u != '\r' && u != '\t') || u == 0x7f;
    const std::size_t len = control ? 1 : Utf8SequenceLength(bytes, i);
    if (control || len == 0) {
      return Status::InvalidArgument(std::string(file) + ":" + std::to_string(line) + ":" +
                                     std::to_string(i - line_start + 1) + ": " +
                                     (control ? "a control character" : "a byte that is not UTF-8") +
                                     ", which YAML does not allow");
    }
    i += len - 1;
  }
  const std::size_t base = bytes.substr(0, 3) == "\xef\xbb\xbf" ? 3 : 0;
  std::istringstream in{std::string(bytes)};
  // Each node takes at least one byte of text, but for the two null nodes a lone `?` makes (an
  // empty key and its empty value): more nodes than twice the bytes is yaml-cpp 0.7 looping.
  // "- a\n,\n" makes it emit nodes without end (found by tests/fuzz yaml_file: 0.4 s and 50 MB
  // before kYamlMaxNodes stopped it, a hang under ASan); this stops it within a few nodes.
  const std::size_t text_bound = 2 * bytes.size() + 16;
  TreeBuilder builder(base, std::min(kYamlMaxNodes, text_bound));
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const YAML::Exception& e) {
    for (YamlNode& d : builder.docs) WipeYaml(d);
    return Status::InvalidArgument(std::string(file) + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const TooManyNodes&) {
    for (YamlNode& d : builder.docs) WipeYaml(d);
    if (text_bound < kYamlMaxNodes) {
      return Status::InvalidArgument(std::string(file) + ": the YAML parser (yaml-cpp) does not end on this text: "
                                     "more nodes than the text can hold");
    }
    return Status::InvalidArgument(std::string(file) + ": more than " + std::to_string(kYamlMaxNodes) +
                                   " nodes; not a configuration file seam reads");
  }
  return std::move(builder.docs);
}

bool SameYamlTree(const YamlNode& got, const YamlNode& want) {
  if (got.kind != want.kind || got.anchor != want.anchor || got.value != want.value || got.flow != want.flow ||
      got.items.size() != want.items.size() || (!want.tag.empty() && got.tag != want.tag)) {
    return false;
  }
  if (got.kind == YamlNode::Kind::kAlias && got.alias_of != want.alias_of) return false;
  for (std::size_t i = 0; i < got.items.size(); ++i) {
    if (!SameYamlTree(got.items[i], want.items[i])) return false;
  }
  return true;
}

void WipeYaml(YamlNode& node) {
  WipeString(node.value);
  for (YamlNode& child : node.items) WipeYaml(child);
}

Result<YamlPlace> FindYamlPlace(YamlNode& doc, const JsonPointer& pointer) {
  YamlPlace place;
  YamlNode* at = &doc;
  std::string walked;
  auto note = [&](const YamlNode& n) {
    if (place.anchored.empty() && !n.anchor.empty()) place.anchored = "&" + n.anchor;
  };
  for (std::size_t i = 0; i < pointer.tokens.size(); ++i) {
    const std::string& token = pointer.tokens[i];
    const bool last = i + 1 == pointer.tokens.size();
    at = Follow(doc, at, place.alias);
    if (at == nullptr) return Status::FailedPrecondition(pointer.text + ": " + walked + " is an alias of no anchor");
    note(*at);
    const std::string here = walked.empty() ? "the document" : walked;
    if (at->kind == YamlNode::Kind::kMapping) {
      YamlNode* key = nullptr;
      YamlNode* value = nullptr;
      bool merges = false;
      for (std::size_t k = 0; k + 1 < at->items.size(); k += 2) {
        YamlNode& candidate = at->items[k];
        if (candidate.kind != YamlNode::Kind::kScalar) continue;
        if (candidate.value == "<<" && candidate.tag == "?") merges = true;
        if (candidate.value != token) continue;
        if (key != nullptr) {
          return Status::FailedPrecondition(pointer.text + ": " + here + " has the key \"" + EscapeJsonPointerToken(token) +
                                            "\" twice");
        }
        key = &candidate;
        value = &at->items[k + 1];
      }
      if (key == nullptr && merges) {
        return Status::FailedPrecondition(pointer.text + ": " + here +
                                          " merges another mapping (<<) and has no key of its own there; seam does not "
                                          "follow merge keys");
      }
      walked += "/" + EscapeJsonPointerToken(token);
      if (last) {
        place.parent = at;
        place.key = key;
        place.node = value;
        break;
      }
      if (value == nullptr) return place;  // a mapping on the way is absent
      if (value->kind == YamlNode::Kind::kNull) return place;
      at = value;
      continue;
    }
    if (at->kind == YamlNode::Kind::kSequence) {
      bool numeric = !token.empty() && token.size() < 10;
      for (char c : token) numeric = numeric && c >= '0' && c <= '9';
      const std::size_t index = numeric ? std::stoul(token) : 0;
      if (!numeric || index >= at->items.size()) {
        return Status::FailedPrecondition(pointer.text + ": " + here + " is a sequence of " +
                                          std::to_string(at->items.size()) + "; \"" + EscapeJsonPointerToken(token) +
                                          "\" is not one of its indexes");
      }
      walked += "/" + token;
      if (last) {
        place.parent = at;
        place.index = index;
        place.node = &at->items[index];
        break;
      }
      at = &at->items[index];
      continue;
    }
    return Status::FailedPrecondition(pointer.text + ": " + here + " is " + KindName(*at) + ", not a mapping");
  }
  if (place.node != nullptr) {
    place.node = Follow(doc, place.node, place.alias);
    if (place.node == nullptr) return Status::FailedPrecondition(pointer.text + " is an alias of no anchor");
    note(*place.node);
    if (place.node->kind == YamlNode::Kind::kMapping || place.node->kind == YamlNode::Kind::kSequence) {
      return Status::FailedPrecondition("value at " + pointer.text + " is " + KindName(*place.node) + ", not a scalar");
    }
  }
  return place;
}

YamlPlainType ResolveYamlPlain(std::string_view text) {
  static const std::regex kNull("~|null|Null|NULL|");
  static const std::regex kBool("y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
  static const std::regex kInt(
      "[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?0o?[0-7_]+|[-+]?0b[01_]+|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+");
  static const std::regex kFloat(
      "[-+]?(\\.[0-9_]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)|"
      "[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*");
  static const std::regex kTimestamp("[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?");
  if (text.size() > 64) return YamlPlainType::kString;  // no number or keyword is this long
  const std::string s(text);
  if (std::regex_match(s, kNull)) return YamlPlainType::kNull;
  if (std::regex_match(s, kBool)) return YamlPlainType::kBool;
  if (std::regex_match(s, kInt)) return YamlPlainType::kInt;
  if (std::regex_match(s, kFloat)) return YamlPlainType::kFloat;
  if (std::regex_match(s, kTimestamp)) return YamlPlainType::kTimestamp;
  return YamlPlainType::kString;
}

Result<std::string> EncodeYamlScalar(std::string_view value, YamlStyle style, YamlPlainType keep, bool flow) {
  if (!IsValidUtf8(value)) return Status::InvalidArgument("the value is not UTF-8, which a YAML file must be");
  if (style == YamlStyle::kPlain && PlainSafe(value, flow) && ResolveYamlPlain(value) == keep) return std::string(value);
  if (style == YamlStyle::kSingle && SingleSafe(value)) return SingleQuoted(value);
  return DoubleQuoted(value);
}

std::optional<YamlSpan> FindYamlScalarSpan(std::string_view bytes, const YamlNode& node) {
  if (node.kind != YamlNode::Kind::kScalar || node.pos >= bytes.size()) return std::nullopt;
  YamlSpan span;
  span.begin = node.pos;
  const char first = bytes[node.pos];
  if (node.tag == "?") {
    // A plain scalar on one line is its own text.
    if (bytes.substr(node.pos, node.value.size()) != node.value || node.value.empty()) return std::nullopt;
    span.end = node.pos + node.value.size();
    return span;
  }
  if (node.tag != "!" || (first != '"' && first != '\'')) return std::nullopt;  // tagged, anchored, or a block scalar
  span.style = first == '"' ? YamlStyle::kDouble : YamlStyle::kSingle;
  for (std::size_t i = node.pos + 1; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c == '\n' || c == '\r') return std::nullopt;  // a quoted scalar spanning lines
    if (first == '"' && c == '\\') {
      ++i;
      continue;
    }
    if (c != first) continue;
    if (first == '\'' && i + 1 < bytes.size() && bytes[i + 1] == '\'') {
      ++i;
      continue;
    }
    span.end = i + 1;
    return span;
  }
  return std::nullopt;
}

}  // namespace seam
