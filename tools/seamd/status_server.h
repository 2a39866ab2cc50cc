#pragma once
// StatusServer: seamd's status listener (--listen), a Boost.Beast HTTP/1.1 server on the
// daemon's io_context (no thread of its own):
//
//   GET  /                      200 the audit timeline of every seam (HTML, reloads itself)
//   GET  /healthz               200 {"status":"ok"}
//   GET  /status                200 the `seamctl check --json` schema from each seam's last pass
//   GET  /metrics               200 Prometheus text format 0.0.4
//   POST /reconcile?seam=NAME   202 a pass of NAME is queued; 404 for an unknown seam
//
// Anything else is 404 (unknown path) or 405 (known path, other method). Bodies over 1 KiB are
// 413; a request (and a keep-alive connection's idle time) has a timeout. With a token, every
// request needs `Authorization: Bearer <token>` (compared in constant time) or gets 401.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "core/secret.h"
#include "core/status.h"
#include "tools/seamd/browser_sessions.h"

namespace seam::seamd {

// The statuses GET /?status= filters by (a seam's status in /status).
inline constexpr const char* kPageStatuses[] = {"drift", "flapping", "unknown", "in_sync", "unset"};

struct StatusHandlers {
  std::function<std::string()> status_json;
  std::function<std::string()> metrics_text;
  // GET /[?status=S]: built off the loop; the handler calls `reply` with the page, on the
  // loop's thread. `status` is "" (every seam) or one of kPageStatuses.
  std::function<void(const std::string& status, std::function<void(std::string)> reply)> timeline_html;
  std::function<bool(const std::string& seam)> reconcile;  // false: no such seam
};

struct ListenOptions {
  boost::asio::ip::tcp::endpoint endpoint;
  std::optional<Secret> token;  // required bearer token (remote listeners)
  std::chrono::milliseconds request_timeout{10000};
};

// Parses "HOST:PORT" / "[V6]:PORT" (HOST an IP address or `localhost`); `what` names the
// source in errors ("--listen", "seam.toml:3: [daemon] listen").
Result<boost::asio::ip::tcp::endpoint> ParseListenAddress(const std::string& text, const std::string& what);

// The bearer token from `file`: its content without trailing whitespace; an error naming the
// file when it cannot be read or is empty, as `given_as` says it was given ("" : "--token-file
// FILE"; "seam.toml:3: [daemon] token_file FILE"). The token itself is never in a message.
Result<Secret> ReadTokenFile(const std::string& file, const std::string& given_as = "");

class StatusServer {
 public:
  StatusServer(boost::asio::io_context& io, StatusHandlers handlers, ListenOptions options);

  // Binds and listens (an error naming the address when it cannot), then accepts until Stop.
  Status Start();
  void Stop();
  unsigned short Port() const;

 private:
  void DoAccept();

  boost::asio::io_context& io_;
  StatusHandlers handlers_;
  ListenOptions options_;
  boost::asio::ip::tcp::acceptor acceptor_;
  BrowserSessions sessions_;  // GET /login's, when the listener requires a token
};

}  // namespace seam::seamd
