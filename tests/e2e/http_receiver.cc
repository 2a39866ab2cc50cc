#include "tests/e2e/http_receiver.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <boost/asio/post.hpp>
#include <fcntl.h>

#include <algorithm>
#include <functional>
#include <cctype>
#include <cstdio>

namespace seam::e2e {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpReceiver::Io {
  asio::io_context io;
  tcp::acceptor acceptor{io};
};

HttpReceiver::HttpReceiver() = default;
HttpReceiver::~HttpReceiver() { Stop(); }

bool HttpReceiver::Start(unsigned short port) {
  Stop();
  io_ = std::make_unique<Io>();
  beast::error_code ec;
  const tcp::endpoint at(asio::ip::make_address("127.0.0.1"), port);
  io_->acceptor.open(at.protocol(), ec);
  if (!ec) io_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  // Not inherited by the processes the test starts (seamd would hold the port, and take its
  // connections, while this receiver is "down").
  if (!ec) ::fcntl(io_->acceptor.native_handle(), F_SETFD, FD_CLOEXEC);
  if (!ec) io_->acceptor.bind(at, ec);
  if (!ec) io_->acceptor.listen(16, ec);
  if (ec) {
    io_.reset();
    std::fprintf(stderr, "HttpReceiver: cannot listen on 127.0.0.1:%u: %s\n", static_cast<unsigned>(port), ec.message().c_str());
    return false;
  }
  port_ = io_->acceptor.local_endpoint().port();
  thread_ = std::thread([this] { Serve(); });
  return true;
}

void HttpReceiver::Stop() {
  if (!io_) return;
  asio::post(io_->io, [io = io_.get()] {
    beast::error_code ignored;
    io->acceptor.close(ignored);
  });
  if (thread_.joinable()) thread_.join();
  io_.reset();
}

std::vector<ReceivedRequest> HttpReceiver::Requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

std::size_t HttpReceiver::Count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_.size();
}

// One request per connection (the answer says Connection: close), so nothing is left waiting on
// a kept-alive socket when Stop closes the acceptor.
void HttpReceiver::Serve() {
  std::function<void()> accept = [&] {
    io_->acceptor.async_accept([&](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // closed by Stop: run() returns
      beast::flat_buffer buffer;
      http::request<http::string_body> request;
      http::read(socket, buffer, request, ec);
      if (!ec) {
        ReceivedRequest r;
        r.method = std::string(request.method_string());
        r.target = std::string(request.target());
        for (const auto& field : request) {
          std::string name(field.name_string());
          std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
          r.headers[name] = std::string(field.value());
        }
        r.body = request.body();
        r.at = std::chrono::steady_clock::now();
        {
          std::lock_guard<std::mutex> lock(mu_);
          requests_.push_back(std::move(r));
        }
        if (delay_ms_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_.load()));
        http::response<http::string_body> response{static_cast<http::status>(status_.load()), request.version()};
        response.set(http::field::content_type, "text/plain");
        response.body() = "ok\n";
        response.keep_alive(false);
        response.prepare_payload();
        http::write(socket, response, ec);
      }
      socket.shutdown(tcp::socket::shutdown_both, ec);
      accept();
    });
  };
  accept();
  io_->io.run();
}

}  // namespace seam::e2e
