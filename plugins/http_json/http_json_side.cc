#include "plugins/http_json/http_json_side.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/crypto.h"
#include "plugins/common/json_pointer.h"
#include "plugins/common/wipe.h"
#include "plugins/common/http_client.h"
#include "plugins/http_json/http_json_config.h"
#include "plugins/http_json/restart_marker.h"
#include "plugins/common/json_document.h"

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
  RestartMarker absent_run;  // after a 404 with a JSON body: the run that answered, when it says
  ~Fetched() {
    if (doc) WipeJson(*doc);
  }
};

class HttpJsonSide final : public Side {
 public:
  explicit HttpJsonSide(HttpJsonConfig config) : c_(std::move(config)), client_(c_.url, c_.client) {}

  using Side::Observe;
  Observation Observe(Deadline deadline) override;
  bool ObservesAsync() const override { return true; }
  void ObserveAsync(Deadline deadline, std::function<void(Observation)> done) override;
  std::vector<std::string> Fields() const override {
    std::vector<std::string> out;
    for (const FieldPointer& f : c_.fields) out.push_back(f.field);
    return out;
  }
  Status Write(const Record& record, const ChangeMarker& expected) override { return Modify(&record, expected); }
  Status Remove(const ChangeMarker& expected) override { return Modify(nullptr, expected); }
  Status CheckWritable() override;
  std::optional<Endpoint> WatchEndpoint() const override { return Endpoint{c_.url.host, c_.url.port}; }
  std::string Describe() const override {
    if (c_.fields.size() == 1) return "http-json " + c_.url.shown + "#" + c_.fields.front().pointer.text;
    std::string list;
    for (const FieldPointer& f : c_.fields) list += (list.empty() ? "" : ", ") + f.pointer.text;
    return "http-json " + c_.url.shown + "#{" + list + "}";
  }

 private:
  // FindJsonString with the "GET <url>: " context on its reason.
  Result<const std::string*> Find(const Json& doc, const JsonPointer& pointer) const {
    Result<const std::string*> found = FindJsonString(doc, pointer);
    if (!found.ok()) return Status::FailedPrecondition("GET " + c_.url.shown + ": " + found.status().message());
    return found;
  }
  // Why a write could not set or remove some mapped member of `doc`, or nullopt.
  std::optional<std::string> WhyNotModifiable(const Json& doc) const;
  // Sends `method` with the configured headers and the preconditions `basis` allows
  // (If-None-Match: * after a 404, else If-Match with a strong ETag, else If-Unmodified-Since
  // with Last-Modified). Transport failures keep Fetch's code; a status outside 2xx is
  // IoError (404 is a success for GET and DELETE), 412 FailedPrecondition.
  Result<HttpResponse> Send(const std::string& method, std::string body, const Fetched* basis);
  // Send's two halves: the request, and what its response (or failure) means.
  Result<HttpRequest> Prepare(const std::string& method, std::string body, const Fetched* basis) const;
  Result<HttpResponse> Checked(const std::string& method, Result<HttpResponse> r) const;
  // GET: 2xx with a JSON document or 404; anything else is an error ("GET <url>: ...").
  Result<std::unique_ptr<Fetched>> Get() { return FetchedFrom(Send("GET", "", nullptr)); }
  Result<std::unique_ptr<Fetched>> FetchedFrom(Result<HttpResponse> r) const;
  Observation ObservationOf(Result<std::unique_ptr<Fetched>> got) const;
  // The GET's answer within `budget`: a failure once the deadline passed is the deadline's.
  Observation ObservationOf(const WaitBudget& budget, Result<HttpResponse> r) const;
  // Observe's GET request, ending by the budget's deadline.
  Result<HttpRequest> PrepareGet(const WaitBudget& budget) const;
  // Sets the mapped fields `record` holds, or removes every mapped field when it is null.
  Status Modify(const Record* record, const ChangeMarker& expected);

  HttpJsonConfig c_;
  HttpClient client_;  // reuses idle connections of its origin (http_client.h)
};

std::optional<std::string> HttpJsonSide::WhyNotModifiable(const Json& doc) const {
  for (const FieldPointer& f : c_.fields) {
    Result<const std::string*> found = Find(doc, f.pointer);
    if (!found.ok()) return found.status().message();
  }
  return std::nullopt;
}

Result<HttpRequest> HttpJsonSide::Prepare(const std::string& method, std::string body, const Fetched* basis) const {
  HttpRequest req;
  req.method = method;
  req.body = std::move(body);
  for (const HeaderSource& h : c_.headers) {
    Result<std::string> value = ReadHeaderValue(h);
    if (!value.ok()) return value.status().WithContext(method + " " + c_.url.shown);
    req.headers.emplace_back(h.name, std::move(value).value());
  }
  if (basis && !basis->doc) {
    req.headers.emplace_back("If-None-Match", "*");  // it was absent: create, do not replace
  } else if (basis && IsStrongEtag(basis->response.etag)) {
    req.headers.emplace_back("If-Match", basis->response.etag);
  } else if (basis && !basis->response.last_modified.empty()) {
    req.headers.emplace_back("If-Unmodified-Since", basis->response.last_modified);
  }
  return req;
}

Result<HttpResponse> HttpJsonSide::Checked(const std::string& method, Result<HttpResponse> r) const {
  const std::string what = method + " " + c_.url.shown;
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

Result<HttpResponse> HttpJsonSide::Send(const std::string& method, std::string body, const Fetched* basis) {
  Result<HttpRequest> req = Prepare(method, std::move(body), basis);
  if (!req.ok()) return req.status();
  return Checked(method, client_.Fetch(*req));
}

Result<std::unique_ptr<Fetched>> HttpJsonSide::FetchedFrom(Result<HttpResponse> r) const {
  if (!r.ok()) return r.status();
  auto f = std::make_unique<Fetched>();
  f->response = std::move(r).value();
  const HttpResponse& got = f->response;
  if (got.status == 404) {
    f->marker.opaque = kAbsentMarker;
    // A JSON 404 may still say which run answered (the restart marker): kept aside, so that a
    // removal in this run can be told from a server restored from a backup.
    if (c_.restart_marker) {
      Result<Json> doc = ParseJsonDocument("GET " + c_.url.shown, got.body);
      if (doc.ok()) {
        Result<RestartMarker> run = ReadRestartMarker(*doc, *c_.restart_marker);
        if (run.ok()) f->absent_run = std::move(run).value();
        WipeJson(*doc);
      }
    }
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

Observation HttpJsonSide::ObservationOf(Result<std::unique_ptr<Fetched>> got) const {
  if (!got.ok()) return Observation::Unreadable(got.status().message());
  const Fetched& f = **got;
  if (!f.doc) {
    // A 404: the server was reached and has no such entity.
    Observation o = Observation::Absent(f.marker, f.absent_run.started_at_us);
    o.restart_marker = f.absent_run.text;
    return o;
  }
  auto unreadable = [&f](const Status& why) {
    Observation o = Observation::Unreadable(why.message());
    o.marker = f.marker;
    return o;
  };
  RestartMarker run;
  if (c_.restart_marker) {
    Result<RestartMarker> read = ReadRestartMarker(*f.doc, *c_.restart_marker);
    if (!read.ok()) return unreadable(read.status().WithContext("GET " + c_.url.shown));
    run = std::move(read).value();
  }
  Record fields;
  for (const FieldPointer& field : c_.fields) {
    Result<const std::string*> found = Find(*f.doc, field.pointer);
    if (!found.ok()) return unreadable(found.status());
    if (*found != nullptr) fields.emplace(field.field, Secret(**found));
  }
  // A start time in the marker is when the component began serving what it holds now.
  Observation o = fields.empty() ? Observation::Absent(f.marker, run.started_at_us)
                                 : Observation::Value(std::move(fields), f.marker, run.started_at_us);
  o.restart_marker = std::move(run.text);
  return o;
}

Result<HttpRequest> HttpJsonSide::PrepareGet(const WaitBudget& budget) const {
  if (budget.Expired()) return Status::Unavailable("GET " + c_.url.shown + ": " + DeadlineReason(budget));
  Result<HttpRequest> req = Prepare("GET", "", nullptr);
  if (req.ok()) req->deadline = budget.deadline;
  return req;
}

Observation HttpJsonSide::ObservationOf(const WaitBudget& budget, Result<HttpResponse> r) const {
  if (!r.ok() && budget.Overran()) return Observation::Unreadable("GET " + c_.url.shown + ": " + DeadlineReason(budget));
  return ObservationOf(FetchedFrom(Checked("GET", std::move(r))));
}

Observation HttpJsonSide::Observe(Deadline deadline) {
  const WaitBudget budget = BudgetFor(c_.client.timeout, deadline);
  Result<HttpRequest> req = PrepareGet(budget);
  if (!req.ok()) return Observation::Unreadable(req.status().message());
  return ObservationOf(budget, client_.Fetch(*req));
}

// The GET is the same as Observe's; the response is read on the network thread. The caller
// keeps the side alive until `done` has been called (core/side.h), so `this` may be used there.
void HttpJsonSide::ObserveAsync(Deadline deadline, std::function<void(Observation)> done) {
  const WaitBudget budget = BudgetFor(c_.client.timeout, deadline);
  Result<HttpRequest> req = PrepareGet(budget);
  if (!req.ok()) {
    done(Observation::Unreadable(req.status().message()));
    return;
  }
  client_.FetchAsync(std::make_shared<const HttpRequest>(std::move(req).value()),
                     [this, budget, done = std::move(done)](Result<HttpResponse> r) {
                       done(ObservationOf(budget, std::move(r)));
                     });
}

Status HttpJsonSide::CheckWritable() {
  Result<std::unique_ptr<Fetched>> got = Get();
  if (!got.ok()) return Status::FailedPrecondition(got.status().message());
  if ((*got)->doc) {
    if (std::optional<std::string> why = WhyNotModifiable(*(*got)->doc)) return Status::FailedPrecondition(*why);
  }
  return Status::Ok();
}

Status HttpJsonSide::Modify(const Record* record, const ChangeMarker& expected) {
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

  if (record == nullptr && c_.remove_by_delete) {
    bool any = false;
    for (const FieldPointer& field : c_.fields) {
      Result<const std::string*> found = Find(doc, field.pointer);  // succeeds: WhyNotModifiable said so
      any = any || (found.ok() && *found != nullptr);
    }
    if (!any) return Status::Ok();  // nothing to remove
    return Send("DELETE", "", &f).status();
  }
  // Every change goes into the one document sent below: one request, one precondition.
  bool changed = false;
  for (const FieldPointer& field : c_.fields) {
    std::optional<std::string_view> value;  // nullopt: remove (write null)
    if (record != nullptr) {
      auto it = record->find(field.field);
      if (it == record->end()) continue;  // not in the record: left as it is
      value = it->second.Reveal();
    }
    // Pointers never overlap (config), so setting one member never replaces another's.
    changed = SetJsonMember(doc, field.pointer, value, JsonRemoval::kWriteNull) || changed;
  }
  if (!changed) return Status::Ok();  // nothing to write or remove
  std::string body;
  try {
    body = doc.dump(-1, ' ', false, Json::error_handler_t::strict);
  } catch (const Json::type_error&) {
    return Status::InvalidArgument(c_.url.shown + ": a value is not valid UTF-8, which a JSON string must be; "
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
