// seamd's status listener (tools/seamd/status_server.h) as a client on the network reaches it:
// a real StatusServer on 127.0.0.1, one TCP connection per input carrying the input's bytes as
// they are (one request, several pipelined, or garbage), then the write side shut. The first
// byte picks the listener: with a bearer token (the login form, sessions, 401s) or without.
// The listener's io_context runs on this thread, between the client's steps, as seamd runs it
// on its one loop: no thread hand-off per input (twice the speed) and coverage from one thread.
// Each connection comes from another loopback address (127.1.x.y): one TIME_WAIT per input on
// one address pair would use up the ports in a minute and stall connect().
// Checked: the listener answers HTTP or closes within 2 s (its request timeout is 10 s: waiting
// on it would be a hang), and the token never appears in an answer to an input that did not
// hold it.
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "tests/fuzz/fuzz_support.h"
#include "tools/seamd/status_server.h"

namespace {

using seam::fuzz::FuzzFail;
constexpr char kToken[] = "fuzz-listener-token-6f1d2c";

struct Listener {
  boost::asio::io_context io;
  std::unique_ptr<seam::seamd::StatusServer> server;
  unsigned short port = 0;

  explicit Listener(bool with_token) {
    seam::seamd::StatusHandlers handlers;
    handlers.status_json = [] { return std::string("{\"seams\":[]}"); };
    handlers.metrics_text = [] { return std::string("seam_up 1\n"); };
    handlers.timeline_html = [](const std::string&, std::function<void(std::string)> reply) { reply("<html></html>"); };
    handlers.reconcile = [](const std::string& seam) { return seam == "known"; };
    seam::seamd::ListenOptions options;
    options.endpoint = boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0);
    if (with_token) options.token = seam::Secret(std::string(kToken));
    server = std::make_unique<seam::seamd::StatusServer>(io, std::move(handlers), std::move(options));
    if (!server->Start().ok()) FuzzFail("the status listener does not start");
    port = server->Port();
  }
};

// One connection: writes `bytes`, shuts the write side, reads until the listener closes; the
// listener's loop runs whenever the client would wait.
std::string Exchange(Listener& listener, std::string_view bytes) {
  static std::uint32_t next_source = 0;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) FuzzFail("socket() failed");
  sockaddr_in source{};
  source.sin_family = AF_INET;
  source.sin_addr.s_addr = htonl(0x7f010000u | (next_source++ & 0xffffu));  // 127.1.x.y
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(listener.port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&source), sizeof source) != 0 ||
      (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS)) {
    FuzzFail(std::string("cannot connect to the listener: ") + std::strerror(errno));
  }
  std::string answer;
  std::size_t sent = 0;
  bool shut = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  char buf[16384];
  for (;;) {
    if (std::chrono::steady_clock::now() > deadline) FuzzFail("the listener neither answered nor closed within 2 s");
    const bool ran = listener.io.poll() > 0;
    listener.io.restart();
    bool progressed = ran;
    // The listener may answer (413, 431, 400) and close before reading all of a large input:
    // a failed write is not a finding, the answer is.
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINPROGRESS || errno == ENOTCONN)) break;
        sent = bytes.size();  // refused: the rest is never read
        break;
      }
      sent += static_cast<std::size_t>(n);
      progressed = true;
    }
    if (sent == bytes.size() && !shut) shut = ::shutdown(fd, SHUT_WR) == 0 || errno != ENOTCONN;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != ENOTCONN)) break;  // closed, or reset after a refusal
    if (n > 0) {
      answer.append(buf, static_cast<std::size_t>(n));
      progressed = true;
    }
    if (!progressed) listener.io.run_one_for(std::chrono::milliseconds(1));
    listener.io.restart();
  }
  ::close(fd);
  return answer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Listener* open_listener = new Listener(false);
  static Listener* token_listener = new Listener(true);
  if (size == 0) return 0;
  const std::string_view request = seam::fuzz::AsText(data + 1, size - 1);
  Listener& listener = data[0] % 2 == 0 ? *open_listener : *token_listener;
  const std::string answer = Exchange(listener, request);
  // A reset may cut an answer anywhere, even inside its first word ("HTT").
  const std::string_view http = "HTTP/1.";
  if (answer.compare(0, http.size(), http.substr(0, std::min(http.size(), answer.size()))) != 0) {
    FuzzFail("an answer that is not HTTP");
  }
  if (request.find(kToken) == std::string_view::npos && answer.find(kToken) != std::string::npos) {
    FuzzFail("the listener's token in an answer");
  }
  return 0;
}
