#include "plugins/http_json/http_json_config.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <vector>
#include <string_view>

#include "plugins/common/errno_text.h"
#include "plugins/common/wipe.h"

namespace seam {
namespace {

namespace fs = std::filesystem;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// RFC 9110 token characters.
bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  return out;
}

class Taker {
 public:
  explicit Taker(SideOptions& options) : options_(options) {}
  Status Error(const std::string& key, const std::string& why) const {
    return Status::InvalidArgument(options_.Where(options_.LineOf(key)) + ": key `" + key + "` " + why);
  }
  // A string of digits in [min, max]; `fallback` when absent.
  Result<std::uint64_t> Number(const std::string& key, std::uint64_t fallback, std::uint64_t min,
                               std::uint64_t max, const std::string& unit) {
    SEAM_ASSIGN_OR_RETURN(std::optional<std::string> text, options_.TakeString(key, false));
    if (!text) return fallback;
    std::string_view t = *text;
    auto range = "must be a string of digits from " + std::to_string(min) + " to " + std::to_string(max) + unit;
    if (t.empty() || t.size() > 12 || !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Error(key, range + ", got \"" + *text + "\"");
    }
    std::uint64_t n = std::stoull(*text);
    if (n < min || n > max) return Error(key, range + ", got " + *text);
    return n;
  }
  // "Name: rest" -> the header's name and the trimmed rest.
  Result<std::optional<std::pair<std::string, std::string>>> Header(const std::string& key) {
    SEAM_ASSIGN_OR_RETURN(std::optional<std::string> text, options_.TakeString(key, false));
    if (!text) return std::optional<std::pair<std::string, std::string>>();
    std::size_t colon = text->find(':');
    std::string_view name = Trim(std::string_view(*text).substr(0, colon));
    std::string_view rest = colon == std::string::npos ? std::string_view() : Trim(std::string_view(*text).substr(colon + 1));
    if (colon == std::string::npos || name.empty() || rest.empty()) {
      return Error(key, "must look like \"Header-Name: " + std::string(key == "header_from_env" ? "ENV_VAR" : "/path/to/file") + "\"");
    }
    if (!std::all_of(name.begin(), name.end(), IsTokenChar)) {
      return Error(key, "has an invalid header name \"" + std::string(name) + "\"");
    }
    static const char* const kReserved[] = {"host", "content-length", "transfer-encoding", "connection",
                                            "content-type", "if-match", "if-none-match",
                                            "if-unmodified-since", "accept", "te", "upgrade"};
    for (const char* r : kReserved) {
      if (Lower(name) == r) return Error(key, "cannot set `" + std::string(name) + "`: the side sets it itself");
    }
    return std::optional(std::pair(std::string(name), std::string(rest)));
  }
  SideOptions& options() { return options_; }

 private:
  SideOptions& options_;
};

// `a` equals `b` or is an object on b's path.
bool IsPrefixPath(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// Parses each field's pointer; two fields may not share a member, nor may one field's member
// hold another's (a write of one would replace the other). Errors name the field's line and the
// key it was given as: `pointer` (the primary field's shorthand) or `fields.<field>`.
Result<std::vector<FieldPointer>> TakeFieldPointers(const SideOptions& options, const std::vector<FieldPlace>& places) {
  auto key_of = [](const FieldPlace& p) { return p.key; };
  auto error = [&](const FieldPlace& p, const std::string& why) {
    return Status::InvalidArgument(options.Where(p.line) + ": key `" + key_of(p) + "` " + why);
  };
  std::vector<FieldPointer> out;
  for (std::size_t i = 0; i < places.size(); ++i) {
    const FieldPlace& p = places[i];
    Result<std::vector<std::string>> tokens = ParseJsonPointer(p.place);
    if (!tokens.ok()) return error(p, tokens.status().message());
    for (std::size_t j = 0; j < out.size(); ++j) {
      const std::vector<std::string>& other = out[j].pointer.tokens;
      const std::string other_key = "`" + key_of(places[j]) + "`";
      const std::string other_line = "line " + std::to_string(places[j].line);
      if (*tokens == other) {
        return error(p, "points at the same member as " + other_key + " (" + other_line +
                            "); each field needs a member of its own");
      }
      if (IsPrefixPath(*tokens, other) || IsPrefixPath(other, *tokens)) {
        return error(p, "(\"" + p.place + "\") overlaps " + other_key + " (\"" + out[j].pointer.text + "\", " +
                            other_line + "): one member would be inside the other");
      }
    }
    out.push_back(FieldPointer{p.field, JsonPointer{p.place, std::move(tokens).value()}});
  }
  return out;
}

// The optional `restart_marker` pointer. Its member may not be a field's, nor hold or sit inside
// one: a write would then replace the marker, or the marker a field. `fields[i]` is `places[i]`.
Result<std::optional<JsonPointer>> TakeRestartMarker(Taker& take, const std::vector<FieldPlace>& places,
                                                     const std::vector<FieldPointer>& fields) {
  const std::string key = "restart_marker";
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> text, take.options().TakeString(key, false));
  if (!text) return std::optional<JsonPointer>();
  Result<std::vector<std::string>> tokens = ParseJsonPointer(*text);
  if (!tokens.ok()) return take.Error(key, tokens.status().message());
  for (std::size_t j = 0; j < fields.size(); ++j) {
    const std::vector<std::string>& other = fields[j].pointer.tokens;
    const std::string other_at = "`" + places[j].key + "` (\"" + fields[j].pointer.text + "\", line " +
                                 std::to_string(places[j].line) + ")";
    if (*tokens == other) {
      return take.Error(key, "(\"" + *text + "\") points at the same member as " + other_at +
                                 "; the marker needs a member of its own");
    }
    if (IsPrefixPath(*tokens, other) || IsPrefixPath(other, *tokens)) {
      return take.Error(key, "(\"" + *text + "\") overlaps " + other_at + ": one member would be inside the other");
    }
  }
  return std::optional(JsonPointer{*text, std::move(tokens).value()});
}

bool IsEnvName(std::string_view s) {
  return !s.empty() && std::isdigit(static_cast<unsigned char>(s.front())) == 0 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; });
}

}  // namespace

Result<HttpJsonConfig> TakeHttpJsonConfig(SideOptions& options) {
  Taker take(options);
  HttpJsonConfig c;
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> url, options.TakeString("url", true));
  Result<Url> parsed = ParseUrl(url.value_or(std::string()));  // required: always set
  if (!parsed.ok()) return take.Error("url", parsed.status().message());
  c.url = std::move(parsed).value();

  SEAM_ASSIGN_OR_RETURN(std::vector<FieldPlace> places, options.TakeFieldMap("pointer"));
  SEAM_ASSIGN_OR_RETURN(c.fields, TakeFieldPointers(options, places));
  SEAM_ASSIGN_OR_RETURN(c.restart_marker, TakeRestartMarker(take, places, c.fields));

  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> method, options.TakeString("method", false));
  if (method) {
    c.method = method.value();
    std::transform(c.method.begin(), c.method.end(), c.method.begin(), [](char ch) { return static_cast<char>(std::toupper(static_cast<unsigned char>(ch))); });
    if (c.method != "PUT" && c.method != "POST" && c.method != "PATCH") {
      return take.Error("method", "must be \"PUT\", \"POST\" or \"PATCH\", got \"" + *method + "\"");
    }
  }
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> remove, options.TakeString("remove", false));
  if (remove && *remove != "delete" && *remove != "null") {
    return take.Error("remove", "must be \"delete\" (DELETE the url) or \"null\" (write null at every mapped pointer), got \"" + *remove + "\"");
  }
  c.remove_by_delete = !remove || *remove == "delete";

  SEAM_ASSIGN_OR_RETURN(c.client.ca_file, options.TakePath("ca_file", false));
  if (c.client.ca_file && !c.url.https) return take.Error("ca_file", "is only for https:// urls");

  SEAM_ASSIGN_OR_RETURN(auto env, take.Header("header_from_env"));
  if (env) {
    if (!IsEnvName(env->second)) {
      return take.Error("header_from_env", "names an invalid environment variable \"" + env->second + "\"");
    }
    c.headers.push_back(HeaderSource{env->first, true, env->second, {}});
  }
  SEAM_ASSIGN_OR_RETURN(auto file, take.Header("header_from_file"));
  if (file) {
    if (env && Lower(env->first) == Lower(file->first)) {
      return take.Error("header_from_file", "sets `" + file->first + "`, which header_from_env already sets");
    }
    fs::path p(file->second);
    c.headers.push_back(HeaderSource{file->first, false, {}, p.is_absolute() ? p : options.base_dir() / p});
  }

  constexpr std::uint64_t kMaxMs = 600'000, kMaxBody = 256ull * 1024 * 1024;
  SEAM_ASSIGN_OR_RETURN(std::uint64_t connect_ms, take.Number("connect_timeout_ms", 2000, 1, kMaxMs, " (milliseconds)"));
  SEAM_ASSIGN_OR_RETURN(std::uint64_t timeout_ms, take.Number("timeout_ms", 2000, 1, kMaxMs, " (milliseconds)"));
  SEAM_ASSIGN_OR_RETURN(std::uint64_t body_limit, take.Number("body_limit", 1024 * 1024, 1, kMaxBody, " (bytes)"));
  c.client.connect_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(connect_ms));
  c.client.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(timeout_ms));
  c.client.body_limit = static_cast<std::size_t>(body_limit);
  SEAM_RETURN_IF_ERROR(options.RejectUnknown());
  return c;
}

Result<std::string> ReadHeaderValue(const HeaderSource& header) {
  const std::string what = "header `" + header.name + "`: ";
  std::string value;
  if (header.from_env) {
    const char* v = std::getenv(header.env.c_str());
    if (v == nullptr) return Status::FailedPrecondition(what + "environment variable " + header.env + " is not set");
    value = Trim(v);
    if (value.empty()) return Status::FailedPrecondition(what + "environment variable " + header.env + " is empty");
  } else {
    const std::string shown = header.file.string();
    int fd = ::open(header.file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return Status::FailedPrecondition(what + "cannot read " + shown + ": " + ErrnoText(errno));
    std::string buf(16 * 1024, '\0');
    ssize_t n;
    do {
      n = ::read(fd, buf.data(), buf.size());
    } while (n < 0 && errno == EINTR);
    int err = errno;
    ::close(fd);
    if (n < 0) {
      WipeString(buf);
      return Status::FailedPrecondition(what + "cannot read " + shown + ": " + ErrnoText(err));
    }
    std::string_view line(buf.data(), static_cast<std::size_t>(n));
    line = Trim(line.substr(0, line.find('\n')));
    value.assign(line);
    WipeString(buf);
    if (value.empty()) return Status::FailedPrecondition(what + shown + " has an empty first line");
  }
  for (char ch : value) {
    auto u = static_cast<unsigned char>(ch);
    if ((u < 0x20 && ch != '\t') || u == 0x7f) {
      WipeString(value);
      return Status::FailedPrecondition(what + "the value has a control character");
    }
  }
  return value;
}

}  // namespace seam
