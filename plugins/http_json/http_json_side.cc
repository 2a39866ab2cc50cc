#include "plugins/http_json/http_json_side.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/crypto.h"
#include "plugins/common/wipe.h"
#include "plugins/http_json/http_client.h"
#include "plugins/http_json/http_json_config.h"
#include "plugins/json_file/json_document.h"

namespace seam {
namespace {

constexpr std::string_view kAbsentMarker = "absent";

std::string StatusLine(const HttpResponse& r) { return std::to_string(r.status) + " " + r.reason; }
bool Is2xx(unsigned status) { return status >= 200 && status < 300; }

// What one GET found: the response, the parsed document (none after a 404) and its marker.
struct Fetched {
  HttpResponse response;
  std::optional<Json> doc;
  ChangeMarker marker;
  ~Fetched() {
    if (doc) WipeJson(*doc);
  }
};

class HttpJsonSide final : public Side {
 public:
  explicit HttpJsonSide(HttpJsonConfig config) : c_(std::move(config)) {}

  Observation Observe() override;
  Status Write(const Secret& value, const ChangeMarker& expected) override {
    return Modify(value.Reveal(), expected);
  }
  Status Remove(const ChangeMarker& expected) override { return Modify(std::nullopt, expected); }
  Status CheckWritable() override;
  std::string Describe() const override { return "http-json " + c_.url.shown + "#" + c_.pointer; }

 private:
  // "GET <url>: <pointer>: /devices is a string, not an object" for the container of tokens[i].
  std::string NotAnObject(std::size_t i, const Json& j) const {
    std::string prefix;
    for (std::size_t k = 0; k < i; ++k) prefix += "/" + EscapePointerToken(c_.tokens[k]);
    return "GET " + c_.url.shown + ": " + c_.pointer + ": " + (i == 0 ? "the document" : prefix) + " is " +
           Described(j) + ", not an object";
  }
  std::string NotAString(const Json& j) const {
    return "GET " + c_.url.shown + ": value at " + c_.pointer + " is " + Described(j) + ", not a string";
  }
  std::optional<std::string> WhyNotModifiable(const Json& doc) const;
  // Sends `method` with the configured headers (and If-Match / If-None-Match). Transport
  // failures keep Fetch's code; a status outside 2xx is IoError, 412 FailedPrecondition.
  Result<HttpResponse> Send(const std::string& method, std::string body, const Fetched* basis) const;
  // GET: 2xx with a JSON document or 404; anything else is an error ("GET <url>: ...").
  Result<std::unique_ptr<Fetched>> Get() const;
  Status Modify(std::optional<std::string_view> value, const ChangeMarker& expected);

  HttpJsonConfig c_;
};

std::optional<std::string> HttpJsonSide::WhyNotModifiable(const Json& doc) const {
  const Json* cur = &doc;
  for (std::size_t i = 0; i < c_.tokens.size(); ++i) {
    if (!cur->is_object()) return NotAnObject(i, *cur);
    auto it = cur->find(c_.tokens[i]);
    if (it == cur->end()) return std::nullopt;
    cur = &*it;
  }
  if (!cur->is_string() && !cur->is_null()) return NotAString(*cur);
  return std::nullopt;
}

Result<HttpResponse> HttpJsonSide::Send(const std::string& method, std::string body, const Fetched* basis) const {
  const std::string what = method + " " + c_.url.shown;
  HttpRequest req;
  req.method = method;
  req.body = std::move(body);
  for (const HeaderSource& h : c_.headers) {
    Result<std::string> value = ReadHeaderValue(h);
    if (!value.ok()) return value.status().WithContext(what);
    req.headers.emplace_back(h.name, std::move(value).value());
  }
  if (basis && !basis->doc) {
    req.headers.emplace_back("If-None-Match", "*");  // it was absent: create, do not replace
  } else if (basis && !basis->response.etag.empty()) {
    req.headers.emplace_back("If-Match", basis->response.etag);
  }
  Result<HttpResponse> r = Fetch(c_.url, req, c_.client);
  if (!r.ok()) return r.status().WithContext(what);
  unsigned st = r->status;
  if (Is2xx(st) || (method == "GET" && st == 404)) return r;
  if (st == 412) {
    return Status::FailedPrecondition(what + ": " + StatusLine(*r) + ": changed since it was observed");
  }
  std::string why = what + ": " + StatusLine(*r);
  if (st >= 300 && st < 400) why += " (redirects are not followed)";
  return Status::IoError(why);
}

Result<std::unique_ptr<Fetched>> HttpJsonSide::Get() const {
  SEAM_ASSIGN_OR_RETURN(HttpResponse r, Send("GET", "", nullptr));
  auto f = std::make_unique<Fetched>();
  f->response = std::move(r);
  const HttpResponse& got = f->response;
  if (got.status == 404) {
    f->marker.opaque = kAbsentMarker;
    return f;
  }
  // The "path" ParseJsonDocument names in its messages: "GET <url>: invalid JSON at ...".
  Result<Json> doc = ParseJsonDocument("GET " + c_.url.shown, got.body);
  if (!doc.ok()) {
    std::string why = doc.status().message();
    if (!got.content_type.empty() && got.content_type.find("json") == std::string::npos) {
      why += " (Content-Type " + got.content_type + ")";
    }
    return Status::IoError(why);
  }
  f->doc = std::move(doc).value();
  if (!got.etag.empty()) {
    f->marker.opaque = "etag:" + got.etag;
  } else if (!got.last_modified.empty()) {
    // Last-Modified has one-second resolution: the digest catches same-second changes.
    f->marker.opaque = "last-modified:" + got.last_modified + ":sha256:" + Sha256Hex(got.body);
  } else {
    f->marker.opaque = "sha256:" + Sha256Hex(got.body);
  }
  return f;
}

Observation HttpJsonSide::Observe() {
  Result<std::unique_ptr<Fetched>> got = Get();
  if (!got.ok()) return Observation::Unreadable(got.status().message());
  const Fetched& f = **got;
  if (!f.doc) return Observation::Missing(f.marker);
  auto unreadable = [&](std::string why) {
    Observation o = Observation::Unreadable(std::move(why));
    o.marker = f.marker;
    return o;
  };
  const Json* cur = &*f.doc;
  for (std::size_t i = 0; i < c_.tokens.size(); ++i) {
    if (!cur->is_object()) return unreadable(NotAnObject(i, *cur));
    auto it = cur->find(c_.tokens[i]);
    if (it == cur->end()) return Observation::Missing(f.marker);
    cur = &*it;
  }
  if (cur->is_null()) return Observation::Missing(f.marker);
  if (!cur->is_string()) return unreadable(NotAString(*cur));
  return Observation::Value(Secret(cur->get_ref<const std::string&>()), f.marker);
}

Status HttpJsonSide::CheckWritable() {
  Result<std::unique_ptr<Fetched>> got = Get();
  if (!got.ok()) return Status::FailedPrecondition(got.status().message());
  if ((*got)->doc) {
    if (std::optional<std::string> why = WhyNotModifiable(*(*got)->doc)) return Status::FailedPrecondition(*why);
  }
  return Status::Ok();
}

Status HttpJsonSide::Modify(std::optional<std::string_view> value, const ChangeMarker& expected) {
  auto not_writing = [](const Status& s) { return Status(s.code(), s.message() + "; not writing"); };
  Result<std::unique_ptr<Fetched>> got = Get();
  if (!got.ok()) return not_writing(got.status());
  Fetched& f = **got;
  if (f.marker != expected) {
    return Status::FailedPrecondition(c_.url.shown + " changed since it was observed; not writing");
  }
  Json doc = f.doc ? *f.doc : Json::object();
  JsonWipeGuard wipe(doc);
  if (std::optional<std::string> why = WhyNotModifiable(doc)) return Status::FailedPrecondition(*why + "; not writing");

  // Walk to the member's object, creating objects only when there is a value to set.
  Json* cur = &doc;
  for (std::size_t i = 0; i + 1 < c_.tokens.size(); ++i) {
    auto it = cur->find(c_.tokens[i]);
    if (it != cur->end()) {
      cur = &*it;
    } else if (value) {
      cur = &((*cur)[c_.tokens[i]] = Json::object());
    } else {
      return Status::Ok();  // nothing to remove
    }
  }
  const std::string& last = c_.tokens.back();
  auto it = cur->find(last);
  if (!value) {
    if (it == cur->end() || it->is_null()) return Status::Ok();
    if (c_.remove_by_delete) return Send("DELETE", "", &f).status();
  }
  if (it != cur->end()) WipeJson(*it);
  if (value) {
    (*cur)[last] = std::string(*value);
  } else {
    (*cur)[last] = nullptr;
  }
  std::string body;
  try {
    body = doc.dump(-1, ' ', false, Json::error_handler_t::strict);
  } catch (const Json::type_error&) {
    return Status::InvalidArgument(c_.url.shown + ": the value is not valid UTF-8, which a JSON string must be; "
                                   "not writing");
  }
  return Send(c_.method, std::move(body), &f).status();
}

}  // namespace

Result<std::unique_ptr<Side>> MakeHttpJsonSide(SideOptions& options) {
  SEAM_ASSIGN_OR_RETURN(HttpJsonConfig config, TakeHttpJsonConfig(options));
  return std::unique_ptr<Side>(std::make_unique<HttpJsonSide>(std::move(config)));
}

}  // namespace seam
