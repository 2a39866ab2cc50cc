#include "plugins/http_json/http_json_side.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/crypto.h"
#include "plugins/common/json_pointer.h"
#include "plugins/common/wipe.h"
#include "plugins/http_json/http_client.h"
#include "plugins/http_json/http_json_config.h"
#include "plugins/json_file/json_document.h"

namespace seam {
namespace {

constexpr std::string_view kAbsentMarker = "absent";

// The reason is the standard phrase for the status (Fetch never keeps the server's own).
std::string StatusLine(const HttpResponse& r) {
  return r.reason.empty() ? std::to_string(r.status) : std::to_string(r.status) + " " + r.reason;
}
bool Is2xx(unsigned status) { return status >= 200 && status < 300; }

// A weak tag (W/"...") never matches If-Match (RFC 9110 13.1.1): it is no validator for a CAS.
bool IsStrongEtag(const std::string& etag) { return !etag.empty() && etag.rfind("W/", 0) != 0; }

// The media type of a Content-Type header (no parameters: they may carry anything), printable
// ASCII only, at most 64 characters, for messages.
std::string MediaType(std::string_view content_type) {
  constexpr std::size_t kMax = 64;
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && (content_type.front() == ' ' || content_type.front() == '\t')) {
    content_type.remove_prefix(1);
  }
  std::string out;
  for (char c : content_type) {
    if (c <= ' ' || c > '~') break;  // stops at whitespace, control and non-ASCII bytes
    if (out.size() == kMax) return out + "...";
    out.push_back(c);
  }
  return out;
}

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
  std::string Describe() const override { return "http-json " + c_.url.shown + "#" + c_.pointer.text; }

 private:
  // FindJsonString with the "GET <url>: " context on its reason.
  Result<const std::string*> Find(const Json& doc) const {
    Result<const std::string*> found = FindJsonString(doc, c_.pointer);
    if (!found.ok()) return Status::FailedPrecondition("GET " + c_.url.shown + ": " + found.status().message());
    return found;
  }
  std::optional<std::string> WhyNotModifiable(const Json& doc) const;
  // Sends `method` with the configured headers and the preconditions `basis` allows
  // (If-None-Match: * after a 404, else If-Match with a strong ETag, else If-Unmodified-Since
  // with Last-Modified). Transport failures keep Fetch's code; a status outside 2xx is
  // IoError (404 is a success for GET and DELETE), 412 FailedPrecondition.
  Result<HttpResponse> Send(const std::string& method, std::string body, const Fetched* basis) const;
  // GET: 2xx with a JSON document or 404; anything else is an error ("GET <url>: ...").
  Result<std::unique_ptr<Fetched>> Get() const;
  Status Modify(std::optional<std::string_view> value, const ChangeMarker& expected);

  HttpJsonConfig c_;
};

std::optional<std::string> HttpJsonSide::WhyNotModifiable(const Json& doc) const {
  Result<const std::string*> found = Find(doc);
  if (!found.ok()) return found.status().message();
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
  } else if (basis && IsStrongEtag(basis->response.etag)) {
    req.headers.emplace_back("If-Match", basis->response.etag);
  } else if (basis && !basis->response.last_modified.empty()) {
    req.headers.emplace_back("If-Unmodified-Since", basis->response.last_modified);
  }
  Result<HttpResponse> r = Fetch(c_.url, req, c_.client);
  if (!r.ok()) return r.status().WithContext(what);
  unsigned st = r->status;
  // A 404 to a DELETE: already absent, which is what was asked.
  if (Is2xx(st) || ((method == "GET" || method == "DELETE") && st == 404)) return r;
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
    std::string media_type = MediaType(got.content_type);
    if (!media_type.empty() && media_type.find("json") == std::string::npos) {
      why += " (Content-Type " + media_type + ")";
    }
    return Status::IoError(why);
  }
  f->doc = std::move(doc).value();
  if (IsStrongEtag(got.etag)) {
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
  Result<const std::string*> found = Find(*f.doc);
  if (!found.ok()) return unreadable(found.status().message());
  if (*found == nullptr) return Observation::Missing(f.marker);
  return Observation::Value(Secret(**found), f.marker);
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

  if (!value && c_.remove_by_delete) {
    Result<const std::string*> found = Find(doc);  // succeeds: WhyNotModifiable said so
    if (found.ok() && *found == nullptr) return Status::Ok();  // nothing to remove
    return Send("DELETE", "", &f).status();
  }
  if (!SetJsonMember(doc, c_.pointer, value, JsonRemoval::kWriteNull)) return Status::Ok();  // nothing to remove
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
