#include "plugins/exec/exec_protocol.h"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "plugins/common/json_string.h"
#include "plugins/common/utf8.h"
#include "plugins/common/wipe.h"

namespace seam {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kExpected = "; expected {\"value\": \"...\"} or {\"missing\": true}";

// "device_id, token" for messages.
std::string NameList(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// nlohmann SAX handler that accepts exactly one object with "value", "fields" and/or "missing"
// ("fields" holding a flat object of the side's fields), keeps no tree but the strings it
// stores as Secrets, and records the first problem without quoting the input.
class ReplyHandler {
 public:
  explicit ReplyHandler(const ExecFields& fields) : fields_(fields) {}
  ReplyHandler(const ReplyHandler&) = delete;
  ReplyHandler& operator=(const ReplyHandler&) = delete;

  bool null() { return Scalar("null"); }
  bool boolean(bool b) { return Scalar("a boolean", b); }
  bool number_integer(Json::number_integer_t) { return Scalar("a number"); }
  bool number_unsigned(Json::number_unsigned_t) { return Scalar("a number"); }
  bool number_float(Json::number_float_t, const Json::string_t&) { return Scalar("a number"); }
  bool binary(Json::binary_t&) { return Scalar("binary data"); }
  bool string(Json::string_t& s) {
    const std::string* name = depth_ == 2 ? field_
                              : depth_ == 1 && key_ == Key::kValue ? &fields_.names.front()
                                                                   : nullptr;
    if (name == nullptr) {
      WipeString(s);
      return Scalar("a string");
    }
    // Moved, not copied: one less copy of the secret to leave behind.
    record_.insert_or_assign(*name, Secret(std::move(s)));
    return true;
  }
  bool start_object(std::size_t) {
    if (depth_ == 0 || (depth_ == 1 && key_ == Key::kFields)) return ++depth_, true;
    return Scalar("an object");
  }
  bool end_object() { return --depth_, true; }
  bool start_array(std::size_t) { return Scalar("an array"); }
  bool end_array() { return true; }
  bool key(Json::string_t& k) {
    if (depth_ == 2) return FieldKey(k);
    Key which = k == "value" ? Key::kValue : k == "fields" ? Key::kFields
                : k == "missing" ? Key::kMissing : Key::kOther;
    WipeString(k);
    if (which == Key::kOther) {
      return Fail(std::string("printed an object with a key other than ") +
                  (fields_.single ? "\"value\", \"fields\" and \"missing\"" : "\"fields\" and \"missing\""));
    }
    if (which == Key::kValue && !fields_.single) {
      return Fail("printed \"value\", but this side maps the fields " + NameList(fields_.names));
    }
    bool& seen = Seen(which);
    if (seen) return Fail("printed \"" + std::string(Name(which)) + "\" twice");
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
  // The top-level keys given, in the order "value", "fields", "missing".
  std::vector<const char*> given() const {
    std::vector<const char*> out;
    if (has_value_) out.push_back("value");
    if (has_fields_) out.push_back("fields");
    if (has_missing_) out.push_back("missing");
    return out;
  }
  bool has_missing() const { return has_missing_; }
  Record& record() { return record_; }

 private:
  enum class Key { kNone, kValue, kFields, kMissing, kOther };

  static const char* Name(Key k) {
    return k == Key::kValue ? "value" : k == Key::kFields ? "fields" : "missing";
  }
  bool& Seen(Key k) { return k == Key::kValue ? has_value_ : k == Key::kFields ? has_fields_ : has_missing_; }
  bool Fail(std::string why) {
    error_ = std::move(why);
    return false;
  }
  // A member of "fields": one of the side's fields, once.
  bool FieldKey(Json::string_t& k) {
    auto it = std::find(fields_.names.begin(), fields_.names.end(), k);
    WipeString(k);
    if (it == fields_.names.end()) {
      return Fail("\"fields\" has a member that is not one of this side's fields (" +
                  NameList(fields_.names) + ")");
    }
    if (std::find(seen_fields_.begin(), seen_fields_.end(), &*it) != seen_fields_.end()) {
      return Fail("printed field \"" + *it + "\" twice");
    }
    seen_fields_.push_back(&*it);
    field_ = &*it;
    return true;
  }
  // Anything but a stored string where a member's value (or the top-level object) belongs.
  bool Scalar(const char* kind, bool is_true = false) {
    const bool is_null = std::string_view(kind) == "null";
    if (depth_ == 0) return Fail("printed " + std::string(kind) + ", not a JSON object");
    if (depth_ == 2) {
      if (is_null) return true;  // a field the program does not hold
      return Fail("field \"" + *field_ + "\" is " + kind + ", not a string");
    }
    switch (key_) {
      case Key::kMissing:
        if (is_true) return true;
        return Fail("\"missing\" must be true");
      case Key::kFields:
        if (is_null) return true;  // {"fields": null}: missing
        return Fail("\"fields\" is " + std::string(kind) + ", not an object");
      case Key::kValue:
      case Key::kNone:
      case Key::kOther: break;
    }
    if (is_null) return true;  // {"value": null}: missing
    return Fail("\"value\" is " + std::string(kind) + ", not a string");
  }

  const ExecFields& fields_;
  int depth_ = 0;
  Key key_ = Key::kNone;
  const std::string* field_ = nullptr;  // the member of "fields" being read
  std::vector<const std::string*> seen_fields_;
  bool has_value_ = false, has_fields_ = false, has_missing_ = false;
  Record record_;
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

Result<ReadReply> ParseReadReply(std::string_view out, const ExecFields& fields) {
  std::string expected = std::string(kExpected);
  if (!fields.single) {
    std::string members;
    for (const std::string& n : fields.names) {
      members += (members.empty() ? "\"" : ", \"") + n + "\": \"...\"";
    }
    expected = "; expected {\"fields\": {" + members + "}} or {\"missing\": true}";
  }
  auto fail = [&](const std::string& why) { return Status::InvalidArgument(why + expected); };
  if (out.find_first_not_of(" \t\r\n") == std::string_view::npos) return fail("printed nothing on stdout");
  ReplyHandler handler(fields);
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
  const std::vector<const char*> given = handler.given();
  if (given.size() > 1) {
    return fail("printed both \"" + std::string(given[0]) + "\" and \"" + given[1] + "\"");
  }
  if (given.empty()) {
    return fail(fields.single ? "printed an object without \"value\", \"fields\" or \"missing\""
                              : "printed an object without \"fields\" or \"missing\"");
  }
  if (handler.has_missing()) return ReadReply();
  return std::move(handler.record());
}

Result<std::string> EncodeWriteRequest(const Record& record, const ExecFields& fields) {
  std::string out = fields.single ? "{\"value\":" : "{\"fields\":{";
  bool any = false;
  for (const std::string& name : fields.names) {
    auto it = record.find(name);
    if (it == record.end()) continue;
    if (!fields.single) {
      AppendWiping(out, any ? "," : "");
      AppendJsonString(out, name);  // a field name: ASCII
      AppendWiping(out, ":");
    }
    if (!AppendJsonString(out, it->second.Reveal())) {
      WipeString(out);
      const std::string which = fields.single ? "the value" : "the value of `" + name + "`";
      return Status::InvalidArgument(which + " is not valid UTF-8, which a JSON string must be");
    }
    any = true;
  }
  if (!any) {
    WipeString(out);
    return Status::InvalidArgument("the record holds none of the side's fields");
  }
  AppendWiping(out, fields.single ? "}\n" : "}}\n");
  return out;
}

std::string EncodeRemoveRequest(const ExecFields& fields) {
  if (fields.single) return "{\"value\":null}\n";
  std::string out = "{\"fields\":{";
  for (std::size_t i = 0; i < fields.names.size(); ++i) {
    if (i > 0) out += ",";
    AppendJsonString(out, fields.names[i]);
    out += ":null";
  }
  return out + "}}\n";
}

}  // namespace seam
