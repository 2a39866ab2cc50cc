#pragma once
// A real HTTP server on 127.0.0.1 for notification tests: records every request (method,
// target, headers, body) and answers each with `status` (200 by default). Stop() closes it
// (connections refused), Start() again on the same port brings it back. One thread, one
// connection at a time, which is all a notifier uses.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace seam::e2e {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;
  std::chrono::steady_clock::time_point at;  // when it was read
};

class HttpReceiver {
 public:
  HttpReceiver();
  ~HttpReceiver();
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  // Listens on 127.0.0.1:`port` (0: an ephemeral one, then port() tells). False on failure.
  bool Start(unsigned short port = 0);
  void Stop();
  unsigned short port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }

  std::vector<ReceivedRequest> Requests() const;
  std::size_t Count() const;
  void set_status(unsigned status) { status_ = status; }
  // Each answer waits this long first (a receiver that takes its time).
  void set_delay(std::chrono::milliseconds delay) { delay_ms_ = delay.count(); }

 private:
  void Serve();

  struct Io;
  std::unique_ptr<Io> io_;
  std::thread thread_;
  unsigned short port_ = 0;
  std::atomic<unsigned> status_{200};
  std::atomic<long> delay_ms_{0};
  mutable std::mutex mu_;
  std::vector<ReceivedRequest> requests_;
};

}  // namespace seam::e2e
