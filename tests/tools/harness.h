#pragma once
// Helpers for the demo tool suites: run the real demo-gateway as a child process on an ephemeral
// loopback port (waiting for its --port-file with a deadline, never a fixed sleep), run
// demo-client to completion, and talk HTTP/1.1 to the gateway over one keep-alive connection.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace seam::tools_test {

struct RunResult {
  int exit_code = -1;  // exit status, or 128 + signal
  std::string out;
  std::string err;
};

// Runs argv (argv[0] a path) to completion with stdout/stderr captured through files in
// `scratch`; SIGKILL after `timeout` (exit_code then 128 + 9).
RunResult RunProgram(const std::vector<std::string>& argv, const std::filesystem::path& scratch,
              std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A running demo-gateway. Start() returns once the port file holds the bound port.
class Gateway {
 public:
  Gateway(std::filesystem::path dir, std::filesystem::path db);
  ~Gateway();  // SIGKILL if still running
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Extra arguments (e.g. {"--restore", backup}). Fails the test (ADD_FAILURE) and returns false
  // if the gateway exits or does not report its port within 10 s.
  bool Start(const std::vector<std::string>& extra = {});
  // SIGTERM, then waits (10 s deadline) and returns the exit code (-2 if it had to be killed);
  // when already stopped, the last run's exit code (-1 if it never ran).
  int Stop();

  unsigned short port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& db() const { return db_; }
  // Everything the gateway wrote so far (all of its runs).
  std::string Output() const;

 private:
  std::filesystem::path dir_;
  std::filesystem::path db_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  int runs_ = 0;
  int last_exit_ = -1;
};

struct HttpResponse {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // field names lower-cased
  std::string body;
  bool keep_alive = false;
  std::string Header(const std::string& lower_name) const {
    const auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// One TCP connection (Beast, synchronous, 5 s socket timeouts), reused for every request.
class HttpClient {
 public:
  explicit HttpClient(unsigned short port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse Request(const std::string& method, const std::string& target,
                       const std::string& body = "",
                       const std::map<std::string, std::string>& headers = {});
  // Sends raw bytes and reads one response (or returns status 0 when the server closes first).
  HttpResponse Raw(const std::string& bytes);
  // True once the server closed the connection (reads EOF) within `deadline`.
  bool WaitClosed(std::chrono::milliseconds deadline);
  unsigned short local_port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Lower-case hex SHA-256.
std::string Sha256Hex(const std::string& data);

}  // namespace seam::tools_test
