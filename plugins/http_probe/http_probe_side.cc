#include "plugins/http_probe/http_probe_side.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "plugins/common/argv_option.h"
#include "plugins/common/http_client.h"
#include "plugins/common/probe_loop.h"
#include "plugins/common/probe_options.h"
#include "plugins/common/url.h"
#include "plugins/common/wipe.h"

namespace seam {
namespace {

constexpr std::chrono::milliseconds kDefaultTimeout{2000};
constexpr std::chrono::milliseconds kMaxTimeout{600000};
constexpr char kPlaceholder[] = "{value}";
constexpr char kDefaultHeader[] = "Authorization: Bearer {value}";

struct HttpProbeConfig {
  Url url;
  std::string method = "GET";
  std::string header_name;
  std::string header_before, header_after;  // the header's value around {value}
  std::string body;
  std::size_t history = kDefaultProbeHistory;
  std::string field;
  HttpClientOptions client;
};

bool IsLoopback(const Url& url) {
  if (!url.host_is_ip) return url.host == "localhost";
  in_addr v4{};
  if (::inet_pton(AF_INET, url.host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  return url.host == "::1";
}

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  return s;
}

Status KeyError(SideOptions& options, const std::string& key, const std::string& why) {
  return Status::InvalidArgument(options.Where(options.LineOf(key)) + ": key `" + key + "` " + why);
}

Status TakeUrl(SideOptions& options, HttpProbeConfig& c) {
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> text, options.TakeString("url", true));
  Result<Url> url = ParseUrl(text.value_or(std::string()));
  if (!url.ok()) return KeyError(options, "url", url.status().message());
  if (!url->https && !IsLoopback(*url)) {
    return KeyError(options, "url",
                    "is http:// to " + url->host +
                        ", which is not a loopback address: a probe sends a credential, so only https:// or "
                        "http://127.0.0.1 (::1, localhost)");
  }
  c.url = std::move(url).value();
  return Status::Ok();
}

Status TakeHeader(SideOptions& options, HttpProbeConfig& c) {
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> given, options.TakeString("header", false));
  const std::string text = given.value_or(kDefaultHeader);
  const std::string want = "must look like \"Authorization: Bearer {value}\" (a header name, then a value "
                           "holding {value} once)";
  const std::size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0) return KeyError(options, "header", want);
  c.header_name = text.substr(0, colon);
  if (!std::all_of(c.header_name.begin(), c.header_name.end(), IsTokenChar)) {
    return KeyError(options, "header", "has an invalid header name \"" + c.header_name + "\"");
  }
  for (const char* reserved : {"host", "content-length", "transfer-encoding", "connection", "content-type", "te",
                               "upgrade", "expect"}) {
    if (Lower(c.header_name) == reserved) {
      return KeyError(options, "header", "cannot set `" + c.header_name + "`: the side sets it itself");
    }
  }
  std::string value = text.substr(colon + 1);
  value.erase(0, value.find_first_not_of(" \t"));
  const std::size_t at = value.find(kPlaceholder);
  if (at == std::string::npos || value.find(kPlaceholder, at + 1) != std::string::npos) {
    return KeyError(options, "header", want);
  }
  if (std::any_of(value.begin(), value.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; })) {
    return KeyError(options, "header", "has a control character");
  }
  c.header_before = value.substr(0, at);
  c.header_after = value.substr(at + sizeof(kPlaceholder) - 1);
  return Status::Ok();
}

Status TakeMethodAndBody(SideOptions& options, HttpProbeConfig& c) {
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> method, options.TakeString("method", false));
  if (method) {
    c.method = method.value();
    std::transform(c.method.begin(), c.method.end(), c.method.begin(),
                   [](char ch) { return static_cast<char>(std::toupper(static_cast<unsigned char>(ch))); });
    if (c.method != "GET" && c.method != "HEAD" && c.method != "POST" && c.method != "PUT" && c.method != "PATCH") {
      return KeyError(options, "method", "must be \"GET\", \"HEAD\", \"POST\", \"PUT\" or \"PATCH\", got \"" + *method + "\"");
    }
  }
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> body, options.TakeString("body", false));
  if (body) {
    if (c.method == "GET" || c.method == "HEAD") return KeyError(options, "body", "is for POST, PUT or PATCH, not " + c.method);
    if (body->find(kPlaceholder) != std::string::npos) {
      return KeyError(options, "body", "cannot hold {value}: the value goes in `header` only");
    }
    c.body = std::move(*body);
  }
  return Status::Ok();
}

class HttpProbeSide final : public Side {
 public:
  explicit HttpProbeSide(HttpProbeConfig config)
      : config_(std::move(config)),
        client_(config_.url, config_.client),
        describe_("http-probe " + config_.method + " " + config_.url.shown) {}

  using Side::Observe;
  Observation Observe(Deadline deadline) override {
    CandidateSource source;
    {
      std::lock_guard<std::mutex> lock(mu_);
      source = source_;
    }
    return ProbeNewestFirst(source, config_.history, config_.field, describe_, deadline,
                            [this](const Secret& value, std::int64_t version, Deadline d) { return Ask(value, version, d); });
  }
  std::vector<std::string> Fields() const override { return {config_.field}; }
  Status Write(const Record& /*record*/, const ChangeMarker& /*expected*/) override {
    return Status::FailedPrecondition(describe_ + " is observe-only: it asks whether a value works, and cannot set one");
  }
  Status Remove(const ChangeMarker& /*expected*/) override {
    return Status::FailedPrecondition(describe_ + " is observe-only: it cannot make the service drop a value");
  }
  Status CheckWritable() override { return Status::Ok(); }  // observe-only: operations skip it
  bool Writable() const override { return false; }
  bool Probes() const override { return true; }
  void SetCandidateSource(CandidateSource source) override {
    std::lock_guard<std::mutex> lock(mu_);
    source_ = std::move(source);
  }
  std::string Describe() const override { return describe_; }

 private:
  ProbeAnswer Ask(const Secret& value, std::int64_t version, Deadline deadline) const {
    const std::string_view v = value.Reveal();
    if (std::any_of(v.begin(), v.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; })) {
      return ProbeAnswer::Unknown("version " + std::to_string(version) +
                                  "'s value has a control character, so it cannot be sent in a header");
    }
    HttpRequest request;
    request.method = config_.method;
    std::string header_value = config_.header_before;
    header_value.append(v);
    header_value += config_.header_after;
    request.headers.emplace_back(config_.header_name, std::move(header_value));  // wiped with the request
    request.body = config_.body;
    request.deadline = deadline;
    Result<HttpResponse> response = client_.Fetch(request);
    if (!response.ok()) return ProbeAnswer::Unknown(response.status().message());
    if (response->status >= 200 && response->status < 300) return ProbeAnswer::Accepted();
    if (response->status == 401 || response->status == 403) return ProbeAnswer::Rejected();
    std::string why = "answered " + std::to_string(response->status);
    if (!response->reason.empty()) why += " " + response->reason;
    return ProbeAnswer::Unknown(why + " (only 2xx accepts a value, 401 and 403 reject it)");
  }

  HttpProbeConfig config_;
  mutable HttpClient client_;
  std::string describe_;
  std::mutex mu_;
  CandidateSource source_;
};

}  // namespace

Result<std::unique_ptr<Side>> MakeHttpProbeSide(SideOptions& options) {
  HttpProbeConfig c;
  SEAM_RETURN_IF_ERROR(TakeUrl(options, c));
  SEAM_RETURN_IF_ERROR(TakeMethodAndBody(options, c));
  SEAM_RETURN_IF_ERROR(TakeHeader(options, c));
  SEAM_ASSIGN_OR_RETURN(c.history, TakeProbeHistory(options));
  SEAM_ASSIGN_OR_RETURN(c.field, TakeProbeField(options));
  SEAM_ASSIGN_OR_RETURN(c.client.timeout, TakeTimeoutMs(options, kDefaultTimeout, kMaxTimeout));
  SEAM_ASSIGN_OR_RETURN(c.client.connect_timeout, TakeMillis(options, "connect_timeout_ms", kDefaultTimeout, kMaxTimeout));
  SEAM_ASSIGN_OR_RETURN(c.client.ca_file, options.TakePath("ca_file", false));
  if (c.client.ca_file && !c.url.https) return KeyError(options, "ca_file", "is only for https:// urls");
  // The status is all a probe needs, but an API's 200 may carry a page of JSON: the same cap as
  // http-json's default; a longer (or endless) body is an answer neither yes nor no.
  c.client.body_limit = 1024 * 1024;
  SEAM_RETURN_IF_ERROR(options.RejectUnknown());
  return std::unique_ptr<Side>(std::make_unique<HttpProbeSide>(std::move(c)));
}

}  // namespace seam
