#pragma once
// A small HTTP/1.1 client for the sides that talk HTTP (http-json, http-probe) and notifications
// (Boost.Beast over Boost.Asio); its own library, the only translation unit that includes Beast.
//
// Every exchange runs as one coroutine on the process's network thread
// (plugins/common/network_context.h): FetchAsync starts it and returns at once, Fetch starts it
// and waits for it. A thousand requests in flight are a thousand sockets and timers on that one
// thread, never a thousand blocked threads.
//
// Keep-alive: idle connections are shared by every HttpClient of one origin (scheme, host,
// port, ca_file) in the process, at most kMaxIdlePerOrigin of them (256 in all, none idle for
// more than 10 s), so a thousand sides on one
// gateway reuse a handful of connections rather than opening one each. A request takes an idle
// connection of its origin when there is one (http and https alike), and gives it back when the
// server allowed keep-alive (HTTP/1.1 without
// `Connection: close`, a framed body, nothing sent after the response). A reused connection
// that fails before any byte of the response arrived (the server closed it while idle) is
// retried once on a fresh connection; a timeout, or a failure once the response began, is
// never retried, and neither is a fresh connection. The server may have read the request
// before it closed; the side's writes are conditional (If-Match, If-None-Match,
// If-Unmodified-Since), so a repeated write that already took effect gets a 412, not a second
// application (unless the server sends no validator at all). The retry counts against the same
// `timeout`. `ca_file` is read when a connection is made, not for every request.
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
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "plugins/common/url.h"

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
  HttpRequest(HttpRequest&&) = default;
  HttpRequest& operator=(HttpRequest&&) = default;
  ~HttpRequest();  // wipes header values and the body

  std::string method;  // "GET", "PUT", ...
  std::vector<std::pair<std::string, std::string>> headers;  // besides Host, User-Agent, ...
  std::string body;  // sent with Content-Type: application/json when not empty
  // Besides the options' timeout: the whole exchange ends by then (a caller's deadline).
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
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

// Idle connections kept per origin; more than this are closed when returned.
inline constexpr std::size_t kMaxIdlePerOrigin = 32;

// One server's client: the url and options are fixed; requests may come from different
// threads, and any number may be in flight at once (each uses a connection of its own).
class HttpClient {
 public:
  HttpClient(Url url, HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request` to the url. A response of any status is a success here. Failures are
  // Unavailable, one line without any request or response content: "connection refused",
  // "timed out after 2000 ms", "connect timed out after 2000 ms", "TLS handshake failed:
  // <reason>", "response body over 1 MiB", "cannot resolve <host>: <reason>", "cannot resolve
  // <host>: timed out after 2000 ms", ... The deadlines cover a retry too. Blocks the caller
  // until the exchange is done; called on the network thread it fails (Internal) rather than
  // wait on itself.
  Result<HttpResponse> Fetch(const HttpRequest& request);

  // The same exchange without waiting: returns at once; `done` is called exactly once, on the
  // network thread, with what Fetch would have returned. It must not block. The request is
  // kept (and wiped) until then; the client may be destroyed before.
  using Done = std::function<void(Result<HttpResponse>)>;
  void FetchAsync(std::shared_ptr<const HttpRequest> request, Done done);

  const Url& url() const { return target_->url; }

  struct Connection;  // a connected (and handshaken) stream; defined in http_client.cc
  // What a request needs of its client, shared with the requests in flight.
  struct Target {
    Url url;
    HttpClientOptions options;
    std::string origin;  // the idle-pool key: scheme, host, port and ca_file
  };

 private:
  std::shared_ptr<const Target> target_;
};

}  // namespace seam
