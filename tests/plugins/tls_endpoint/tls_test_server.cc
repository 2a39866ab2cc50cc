#include "tests/plugins/tls_endpoint/tls_test_server.h"

#include <openssl/ssl.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <thread>

namespace seam::testing {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using ErrorCode = boost::system::error_code;

std::shared_ptr<ssl::context> MakeContext(const std::string& chain_pem, const std::string& key_pem) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ErrorCode ec;
  ctx->use_certificate_chain(net::buffer(chain_pem), ec);
  if (!ec) ctx->use_private_key(net::buffer(key_pem), ssl::context::pem, ec);
  if (ec) {
    std::cerr << "TlsTestServer: cannot load the certificate: " << ec.message() << "\n";
    std::abort();
  }
  return ctx;
}

// One TLS connection; kept alive by the handlers that capture it.
struct TlsConnection {
  TlsConnection(tcp::socket socket, std::shared_ptr<ssl::context> context)
      : ctx(std::move(context)), stream(std::move(socket), *ctx) {}
  std::shared_ptr<ssl::context> ctx;  // before `stream`, which is made from it
  ssl::stream<tcp::socket> stream;
  std::array<char, 512> buf{};
};

// A plain socket kept open, with room for what the client sends.
struct PlainConnection {
  explicit PlainConnection(tcp::socket s) : socket(std::move(s)) {}
  tcp::socket socket;
  std::array<char, 4096> buf{};
};

}  // namespace

struct TlsTestServer::Impl {
  net::io_context ioc;  // first: destroyed last
  tcp::acceptor acceptor{ioc};
  Mode mode = Mode::kTls;
  std::uint16_t port = 0;  // read once, before the thread starts
  mutable std::mutex mu;
  std::shared_ptr<ssl::context> ctx;
  std::vector<std::string> names;
  std::vector<std::shared_ptr<PlainConnection>> held;  // hung or answered plain connections
  std::thread thread;

  void Accept() {
    acceptor.async_accept([this](const ErrorCode& ec, tcp::socket socket) {
      if (ec) return;  // the acceptor was closed
      Serve(std::move(socket));
      Accept();
    });
  }

  void Serve(tcp::socket socket) {
    if (mode == Mode::kHang) {
      held.push_back(std::make_shared<PlainConnection>(std::move(socket)));
      return;
    }
    if (mode == Mode::kGarbage) {
      auto conn = std::make_shared<PlainConnection>(std::move(socket));
      held.push_back(conn);
      // After the ClientHello arrives, so the client reads the answer as its ServerHello.
      conn->socket.async_read_some(net::buffer(conn->buf), [conn](const ErrorCode& ec, std::size_t) {
        if (ec) return;
        static const std::string kReply = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
        net::async_write(conn->socket, net::buffer(kReply), [conn](const ErrorCode&, std::size_t) {
          ErrorCode ignored;
          conn->socket.shutdown(tcp::socket::shutdown_send, ignored);
        });
      });
      return;
    }
    std::shared_ptr<ssl::context> current;
    {
      std::lock_guard<std::mutex> lock(mu);
      current = ctx;
    }
    auto conn = std::make_shared<TlsConnection>(std::move(socket), std::move(current));
    conn->stream.async_handshake(ssl::stream_base::server, [this, conn](const ErrorCode& ec) {
      if (ec) return;
      const char* sni = SSL_get_servername(conn->stream.native_handle(), TLSEXT_NAMETYPE_host_name);
      {
        std::lock_guard<std::mutex> lock(mu);
        names.emplace_back(sni != nullptr ? sni : "");
      }
      // Waits for the client's close_notify (or its disconnect), then answers with ours.
      conn->stream.async_read_some(net::buffer(conn->buf), [conn](const ErrorCode&, std::size_t) {
        conn->stream.async_shutdown([conn](const ErrorCode&) {});
      });
    });
  }
};

TlsTestServer::TlsTestServer(Mode mode, const std::string& chain_pem, const std::string& key_pem)
    : impl_(std::make_unique<Impl>()) {
  impl_->mode = mode;
  if (mode == Mode::kTls) impl_->ctx = MakeContext(chain_pem, key_pem);
  tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->Accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

TlsTestServer::~TlsTestServer() {
  impl_->ioc.stop();
  impl_->thread.join();
}

std::uint16_t TlsTestServer::port() const { return impl_->port; }

void TlsTestServer::Reload(const std::string& chain_pem, const std::string& key_pem) {
  std::shared_ptr<ssl::context> fresh = MakeContext(chain_pem, key_pem);
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->ctx = std::move(fresh);
}

std::vector<std::string> TlsTestServer::ServerNames() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->names;
}

std::uint16_t UnusedLoopbackPort() {
  net::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  std::uint16_t port = acceptor.local_endpoint().port();
  acceptor.close();
  return port;
}

}  // namespace seam::testing
