#pragma once
// An in-process HTTP(S) server on 127.0.0.1 (ephemeral port) for the http-json tests: it runs on
// its own thread, records every request, counts the connections it accepted, and answers what
// the test's handler says. By default it keeps connections alive as real servers do. Only
// test_server.cc includes Beast.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace seam::testing {

struct RecordedRequest {
  std::string method, target, body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string sni;                             // https: the server name the client sent
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Reply {
  unsigned status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool hang = false;  // never answer (the connection stays open until the server stops)
  bool chunked = false;  // Transfer-Encoding: chunked instead of Content-Length
  std::string reason{};  // the status line's reason phrase when not empty (else the standard one)
  bool drop = false;  // close the connection without answering
};

// What the server does with a connection after a response.
enum class ConnectionMode {
  kKeepAlive,      // keeps it open for the next request (HTTP/1.1, no Connection: close)
  kClose,          // sends Connection: close, then closes it
  kCloseSilently,  // closes it without saying so first (as a server's idle timeout would)
};

struct TlsFiles {
  std::filesystem::path cert_chain;  // PEM
  std::filesystem::path key;         // PEM
};

class TestServer {
 public:
  using Handler = std::function<Reply(const RecordedRequest&)>;
  explicit TestServer(Handler handler, std::optional<TlsFiles> tls = std::nullopt,
                      ConnectionMode mode = ConnectionMode::kKeepAlive);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  std::uint16_t port() const;
  std::vector<RecordedRequest> Requests() const;
  // How many requests used a method other than GET: "nothing was written".
  std::size_t Writes() const;
  // How many connections the server accepted.
  std::size_t Connections() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// A port on 127.0.0.1 that nothing listens on (bound, then closed).
std::uint16_t UnusedPort();

// Which validators a JsonResource sends with its GETs.
struct Validators {
  bool etag = true;            // ETag "\"v1\"", "\"v2\"", ...
  bool weak = false;           // ... as weak tags: W/"v1", which If-Match never matches
  bool last_modified = false;  // Last-Modified: one second per version
};

// A JSON resource that honours If-Match (strong comparison: a weak tag never matches),
// If-Unmodified-Since (equal to the current Last-Modified) and If-None-Match: * on
// PUT/POST/PATCH/DELETE (412 when they do not hold). Thread-safe.
class JsonResource {
 public:
  explicit JsonResource(std::optional<std::string> body, Validators validators = {})
      : body_(std::move(body)), validators_(validators) {}
  Reply Handle(const RecordedRequest& r);
  std::optional<std::string> body() const {
    std::lock_guard<std::mutex> lock(mu_);
    return body_;
  }
  void Set(std::optional<std::string> body) {
    std::lock_guard<std::mutex> lock(mu_);
    body_ = std::move(body);
    ++version_;
  }
  // A handler that serves this resource (the resource must outlive the server).
  TestServer::Handler Handler() {
    return [this](const RecordedRequest& r) { return Handle(r); };
  }

 private:
  mutable std::mutex mu_;
  std::optional<std::string> body_;
  Validators validators_;
  int version_ = 1;
};

}  // namespace seam::testing
