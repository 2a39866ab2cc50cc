#pragma once
// A small blocking HTTP/1.1 client for the http-json side (Boost.Beast over Boost.Asio, one
// connection per request, `Connection: close`). Internal to plugins/http_json; the only
// translation unit of the plugin that includes Beast.
//
// Deadlines: the connection (name resolution and TCP connect) must be up within
// `connect_timeout`, the whole exchange (resolution, connect, TLS handshake, request,
// response) within `timeout`. A resolution that overruns is abandoned (its thread finishes on
// its own); literal addresses need none.
// TLS: peer verification is always on, against the system store plus `ca_file` when given;
// the certificate must name the url's host (DNS name or IP address); SNI is sent for names.
// Redirects are never followed: a 3xx is returned as a response like any other status.
// Plaintext hygiene (best effort): request and response bodies and header values pass through
// buffers that are wiped before they are freed; OpenSSL's record buffers are not.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "plugins/http_json/url.h"

namespace seam {

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds timeout{2000};
  std::size_t body_limit = 1024 * 1024;
  std::optional<std::filesystem::path> ca_file;
};

struct HttpRequest {
  HttpRequest() = default;
  HttpRequest(const HttpRequest&) = delete;
  HttpRequest& operator=(const HttpRequest&) = delete;
  ~HttpRequest();  // wipes header values and the body

  std::string method;  // "GET", "PUT", ...
  std::vector<std::pair<std::string, std::string>> headers;  // besides Host, User-Agent, ...
  std::string body;  // sent with Content-Type: application/json when not empty
};

struct HttpResponse {
  HttpResponse() = default;
  HttpResponse(HttpResponse&&) = default;
  HttpResponse& operator=(HttpResponse&&) = default;
  ~HttpResponse();  // wipes the body

  unsigned status = 0;
  std::string reason;  // the standard phrase for `status` ("Not Found"), never the server's
                       // own; empty for a status without one
  std::string etag, last_modified, content_type;
  std::string body;
};

// Sends `request` to `url`. A response of any status is a success here. Failures are
// Unavailable, one line without any request or response content: "connection refused",
// "timed out after 2000 ms", "connect timed out after 2000 ms", "TLS handshake failed:
// <reason>", "response body over 1 MiB", "cannot resolve <host>: <reason>", "cannot resolve
// <host>: timed out after 2000 ms", ...
Result<HttpResponse> Fetch(const Url& url, const HttpRequest& request, const HttpClientOptions& options);

}  // namespace seam
