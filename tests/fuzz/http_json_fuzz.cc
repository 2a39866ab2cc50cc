// What an http-json side's service answers, as the side reads it: a real server on 127.0.0.1
// (a thread here) answers every request with the input's bytes as they are (status line,
// headers, body: anything, chunked or not, cut short or not) and closes; the side, made by its
// own factory, GETs it (Observe: Boost.Beast's parser with the side's limits, status, ETag and
// Last-Modified, the body's JSON, the pointer, the restart marker) and, when it observed a value
// or a missing one, PUTs a new value (Write) to read that answer too. The input's first line is
// the value's pointer, its second the restart marker's pointer (empty: none), the rest the
// answer. Checked: an unreadable observation and a refused write say why.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>

#include "plugins/http_json/http_json_side.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using seam::fuzz::FuzzFail;

// Answers each connection's requests with `answer` (one per request read), then closes.
class Server {
 public:
  Server() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 64) != 0 || ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      FuzzFail("the fuzz HTTP server does not start");
    }
    port_ = ntohs(addr.sin_port);
    std::thread([this] { Run(); }).detach();
  }
  unsigned short port() const { return port_; }
  void SetAnswer(std::string_view answer) {
    std::lock_guard<std::mutex> lock(mu_);
    answer_.assign(answer);
  }

 private:
  void Run() {
    for (;;) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        // Out of descriptors or memory: wait rather than spin on the same error.
        if (errno != EINTR) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      Serve(fd);
      ::close(fd);
    }
  }
  // Reads one request (headers, then Content-Length bytes of body) within 1 s.
  static bool ReadRequest(int fd) {
    std::string got;
    std::size_t need = std::string::npos;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    char buf[8192];
    while (need == std::string::npos || got.size() < need) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{fd, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      got.append(buf, static_cast<std::size_t>(n));
      const std::size_t end = got.find("\r\n\r\n");
      if (need == std::string::npos && end != std::string::npos) {
        std::size_t body = 0;
        const std::size_t cl = got.find("\r\nContent-Length: ");
        if (cl != std::string::npos && cl < end) body = std::stoul(got.substr(cl + 18));
        need = end + 4 + body;
      }
    }
    return true;
  }
  void Serve(int fd) {
    if (!ReadRequest(fd)) return;
    std::string answer;
    {
      std::lock_guard<std::mutex> lock(mu_);
      answer = answer_;
    }
    for (std::size_t sent = 0; sent < answer.size();) {
      const ssize_t n = ::send(fd, answer.data() + sent, answer.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
    ::shutdown(fd, SHUT_WR);
  }

  int listen_fd_ = -1;
  unsigned short port_ = 0;
  std::mutex mu_;
  std::string answer_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Server* server = new Server;
  std::string_view in = seam::fuzz::AsText(data, size);
  const std::string_view pointer = seam::fuzz::TakeLine(in);
  const std::string_view marker = seam::fuzz::TakeLine(in);
  server->SetAnswer(in);

  seam::SideOptions options("seam.toml", seam::fuzz::ScratchDir(), "fuzzed", "service", 1);
  options.Set("url", seam::OptionValue{"http://127.0.0.1:" + std::to_string(server->port()) + "/token", 2});
  options.Set("pointer", seam::OptionValue{std::string(pointer), 3});
  if (!marker.empty()) options.Set("restart_marker", seam::OptionValue{std::string(marker), 4});
  options.Set("timeout_ms", seam::OptionValue{std::string("500"), 5});
  seam::Result<std::unique_ptr<seam::Side>> made = seam::MakeHttpJsonSide(options);
  if (!made.ok()) {
    // Only what the input gives may be refused: a refusal of the harness's own options would
    // fuzz nothing, silently.
    const std::string& why = made.status().message();
    if (why.find("pointer") == std::string::npos && why.find("restart_marker") == std::string::npos) {
      FuzzFail("the harness's own options are refused: " + why);
    }
    return 0;
  }
  seam::Side& side = **made;

  const seam::Observation seen = side.Observe();
  if (seen.state == seam::Observation::State::kUnreadable) {
    if (seen.reason.empty()) FuzzFail("an unreadable observation without a reason");
    return 0;
  }
  seam::Record record;
  for (const std::string& field : side.Fields()) record.emplace(field, seam::Secret(std::string("fuzz-new-value")));
  const seam::Status wrote = side.Write(record, seen.marker);
  if (!wrote.ok() && wrote.message().empty()) FuzzFail("a refused write without a reason");
  return 0;
}
