#include "plugins/exec/exec_protocol.h"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "plugins/common/wipe.h"

namespace seam {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kExpected = "; expected {\"value\": \"...\"} or {\"missing\": true}";
constexpr std::size_t kStderrMaxChars = 200;

// Length of the valid UTF-8 sequence starting at s[i], 0 when it is not one.
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t len = 0;
  std::uint32_t cp = 0, min = 0;
  if ((c & 0xE0) == 0xC0) {
    len = 2, cp = c & 0x1Fu, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, cp = c & 0x0Fu, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, cp = c & 0x07u, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// The JSON string literal for `s` (quotes included) appended to `out` without leaving copies
// of it in freed memory; false when `s` is not valid UTF-8.
bool AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  AppendWiping(out, "\"");
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = Utf8SequenceLength(s, i);
    if (len == 0) return false;
    if (c == '"' || c == '\\') {
      const char escaped[2] = {'\\', static_cast<char>(c)};
      AppendWiping(out, std::string_view(escaped, 2));
    } else if (c < 0x20) {
      const char escaped[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      AppendWiping(out, std::string_view(escaped, 6));
    } else {
      AppendWiping(out, s.substr(i, len));
    }
    i += len;
  }
  AppendWiping(out, "\"");
  return true;
}

// nlohmann SAX handler that accepts exactly one flat object with "value" and/or "missing",
// keeps no tree, and records the first problem without quoting the input.
class ReplyHandler {
 public:
  ReplyHandler() = default;
  ReplyHandler(const ReplyHandler&) = delete;
  ReplyHandler& operator=(const ReplyHandler&) = delete;
  ~ReplyHandler() { WipeString(value_); }

  bool null() { return Member("null"); }
  bool boolean(bool b) { return Member("a boolean", b); }
  bool number_integer(Json::number_integer_t) { return Member("a number"); }
  bool number_unsigned(Json::number_unsigned_t) { return Member("a number"); }
  bool number_float(Json::number_float_t, const Json::string_t&) { return Member("a number"); }
  bool binary(Json::binary_t&) { return Member("binary data"); }
  bool string(Json::string_t& s) {
    if (depth_ == 1 && key_ == Key::kValue) {
      value_ = std::move(s);  // moved, not copied: one less copy of the secret to leave behind
      value_is_string_ = true;
      return true;
    }
    return Member("a string");
  }
  bool start_object(std::size_t) {
    if (depth_ == 0) return ++depth_, true;
    return Member("an object");
  }
  bool end_object() { return --depth_, true; }
  bool start_array(std::size_t) { return Member("an array"); }
  bool end_array() { return true; }
  bool key(Json::string_t& k) {
    Key which = k == "value" ? Key::kValue : k == "missing" ? Key::kMissing : Key::kOther;
    WipeString(k);
    if (which == Key::kOther) return Fail("printed an object with a key other than \"value\" and \"missing\"");
    bool& seen = which == Key::kValue ? has_value_ : has_missing_;
    if (seen) return Fail(which == Key::kValue ? "printed \"value\" twice" : "printed \"missing\" twice");
    seen = true;
    key_ = which;
    return true;
  }
  bool parse_error(std::size_t byte, const std::string&, const nlohmann::detail::exception&) {
    syntax_error_at_ = byte;
    return false;
  }

  std::optional<std::size_t> syntax_error_at() const { return syntax_error_at_; }
  const std::string& error() const { return error_; }
  bool has_value() const { return has_value_; }
  bool has_missing() const { return has_missing_; }
  bool value_is_string() const { return value_is_string_; }
  std::string& value() { return value_; }

 private:
  enum class Key { kNone, kValue, kMissing, kOther };

  bool Fail(std::string why) {
    error_ = std::move(why);
    return false;
  }
  // A scalar, array or object where a member's value (or the top-level object) belongs.
  bool Member(const char* kind, bool is_true = false) {
    if (depth_ == 0) return Fail("printed " + std::string(kind) + ", not a JSON object");
    if (key_ == Key::kMissing) {
      if (is_true) return true;
      return Fail("\"missing\" must be true");
    }
    if (std::string_view(kind) == "null") return true;  // {"value": null}: missing
    return Fail("\"value\" is " + std::string(kind) + ", not a string");
  }

  int depth_ = 0;
  Key key_ = Key::kNone;
  bool has_value_ = false, has_missing_ = false, value_is_string_ = false;
  std::string value_;
  std::string error_;
  std::optional<std::size_t> syntax_error_at_;
};

// Line and column of the byte the parser stopped at, as nlohmann counts them.
std::string Position(std::string_view text, std::size_t byte) {
  std::string_view seen = text.substr(0, std::min(byte, text.size()));
  auto newlines = static_cast<std::size_t>(std::count(seen.begin(), seen.end(), '\n'));
  std::size_t last_nl = seen.rfind('\n');
  std::size_t column = last_nl == std::string_view::npos ? byte : byte - (last_nl + 1);
  return "line " + std::to_string(newlines + 1) + " column " + std::to_string(column);
}

}  // namespace

Result<ReadReply> ParseReadReply(std::string_view out) {
  auto fail = [](const std::string& why) { return Status::InvalidArgument(why + std::string(kExpected)); };
  if (out.find_first_not_of(" \t\r\n") == std::string_view::npos) return fail("printed nothing on stdout");
  ReplyHandler handler;
  bool parsed = false;
  try {
    parsed = Json::sax_parse(out.begin(), out.end(), &handler);
  } catch (const Json::exception&) {
    return fail("printed non-JSON");
  }
  if (!parsed) {
    if (!handler.error().empty()) return fail(handler.error());
    return fail("printed non-JSON at " + Position(out, handler.syntax_error_at().value_or(0)));
  }
  if (handler.has_value() && handler.has_missing()) return fail("printed both \"value\" and \"missing\"");
  if (!handler.has_value() && !handler.has_missing()) {
    return fail("printed an object without \"value\" or \"missing\"");
  }
  if (handler.has_missing() || !handler.value_is_string()) return ReadReply();
  return ReadReply(Secret(std::move(handler.value())));
}

Result<std::string> EncodeWriteRequest(const Secret* value) {
  std::string out = "{\"value\":";
  if (value == nullptr) {
    out += "null";
  } else if (!AppendJsonString(out, value->Reveal())) {
    WipeString(out);
    return Status::InvalidArgument("the value is not valid UTF-8, which a JSON string must be");
  }
  AppendWiping(out, "}\n");
  return out;
}

bool LooksTokenLike(std::string_view line) {
  constexpr std::size_t kTokenRun = 16;
  std::size_t run = 0;
  for (const char ch : line) {
    const auto c = static_cast<unsigned char>(ch);
    const bool token_char = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            c == '+' || c == '/' || c == '=' || c == '_' || c == '-';
    run = token_char ? run + 1 : 0;
    if (run >= kTokenRun) return true;
  }
  return false;
}

std::string StderrFirstLine(std::string_view err, std::initializer_list<std::string_view> secrets,
                            bool withhold_token_like) {
  // The first line with something on it: a leading blank line says nothing.
  std::string_view line;
  while (!err.empty()) {
    std::size_t nl = err.find('\n');
    line = err.substr(0, nl);
    err = nl == std::string_view::npos ? std::string_view() : err.substr(nl + 1);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) break;
    line = {};
  }
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
    line.remove_suffix(1);
  }
  for (std::string_view secret : secrets) {
    if (secret.empty()) continue;
    std::string escaped;
    const bool encodable = AppendJsonString(escaped, secret);
    // Without its quotes: the program may print it inside a longer string.
    std::string_view bare = encodable ? std::string_view(escaped).substr(1, escaped.size() - 2)
                                      : std::string_view();
    const bool leaks = line.find(secret) != std::string_view::npos ||
                       (!bare.empty() && line.find(bare) != std::string_view::npos);
    WipeString(escaped);
    if (leaks) return "(stderr withheld: it contains the value)";
  }
  if (withhold_token_like && LooksTokenLike(line)) return "(stderr withheld: it may contain a secret)";
  std::string shown;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < line.size(); ++chars) {
    if (chars == kStderrMaxChars) {
      shown += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(line[i]);
    const std::size_t len = Utf8SequenceLength(line, i);
    if (len == 0 || c < 0x20 || c == 0x7f) {
      shown += '?';
      i += 1;
    } else {
      shown.append(line.substr(i, len));
      i += len;
    }
  }
  return shown;
}

}  // namespace seam
