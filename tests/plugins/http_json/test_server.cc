#include "tests/plugins/http_json/test_server.h"

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>

namespace seam::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

}  // namespace

struct TestServer::Impl {
  Handler handler;
  ConnectionMode mode = ConnectionMode::kKeepAlive;
  std::optional<ssl::context> tls;  // declared before the io_context: streams refer to it
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::vector<std::shared_ptr<void>> hung;  // sessions told to never answer (io thread only)
  mutable std::mutex mu;
  std::vector<RecordedRequest> requests;
  std::size_t connections = 0;
  std::thread thread;

  void Accept();
};

namespace {

template <class Stream>
struct Session : std::enable_shared_from_this<Session<Stream>> {
  template <class... Args>
  explicit Session(TestServer::Impl* s, Args&&... args) : server(s), stream(std::forward<Args>(args)...) {}

  void Start() {
    http::async_read(stream, buffer, req, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->OnRead();
    });
  }

  void OnRead() {
    RecordedRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.body = req.body();
    for (const auto& f : req) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(f.value());
    }
    if constexpr (!std::is_same_v<Stream, tcp::socket>) {
      const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
      r.sni = sni ? sni : "";
    }
    {
      std::lock_guard<std::mutex> lock(server->mu);
      server->requests.push_back(r);
    }
    Reply reply = server->handler(r);
    if (reply.hang) {
      server->hung.push_back(this->shared_from_this());
      return;
    }
    if (reply.drop) {
      Close();
      return;
    }
    const bool keep_alive = server->mode == ConnectionMode::kKeepAlive && req.keep_alive();
    res = {};
    res.result(reply.status);
    if (!reply.reason.empty()) res.reason(reply.reason);
    res.version(11);
    if (server->mode == ConnectionMode::kClose) res.set(http::field::connection, "close");
    for (const auto& [name, value] : reply.headers) res.set(name, value);
    res.body() = std::move(reply.body);
    if (reply.chunked) {
      res.chunked(true);
    } else {
      res.prepare_payload();
    }
    http::async_write(stream, res, [self = this->shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
      if (!ec && keep_alive) {
        self->req = {};
        self->Start();
      } else {
        self->Close();
      }
    });
  }

  void Close() {
    beast::error_code ignored;
    beast::get_lowest_layer(stream).shutdown(tcp::socket::shutdown_both, ignored);
  }

  TestServer::Impl* server;
  Stream stream;
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  http::response<http::string_body> res;
};

}  // namespace

void TestServer::Impl::Accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec) return;  // the acceptor was closed
    {
      std::lock_guard<std::mutex> lock(mu);
      ++connections;
    }
    if (!tls) {
      std::make_shared<Session<tcp::socket>>(this, std::move(socket))->Start();
    } else {
      auto session = std::make_shared<Session<ssl::stream<tcp::socket>>>(this, std::move(socket), *tls);
      session->stream.async_handshake(ssl::stream_base::server, [session](beast::error_code hec) {
        if (!hec) session->Start();
      });
    }
    Accept();
  });
}

TestServer::TestServer(Handler handler, std::optional<TlsFiles> tls, ConnectionMode mode)
    : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  impl_->mode = mode;
  if (tls) {
    impl_->tls.emplace(ssl::context::tls_server);
    impl_->tls->use_certificate_chain_file(tls->cert_chain.string());
    impl_->tls->use_private_key_file(tls->key.string(), ssl::context::pem);
  }
  tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  impl_->Accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

TestServer::~TestServer() {
  impl_->ioc.stop();
  impl_->thread.join();
  impl_->hung.clear();
}

std::uint16_t TestServer::port() const { return impl_->acceptor.local_endpoint().port(); }

std::vector<RecordedRequest> TestServer::Requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->requests;
}

std::size_t TestServer::Writes() const {
  std::size_t n = 0;
  for (const RecordedRequest& r : Requests()) if (r.method != "GET") ++n;
  return n;
}

std::size_t TestServer::Connections() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->connections;
}

std::uint16_t UnusedPort() {
  net::io_context ioc;
  tcp::acceptor a(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  std::uint16_t port = a.local_endpoint().port();
  a.close();
  return port;
}

Reply JsonResource::Handle(const RecordedRequest& r) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string etag = "\"v" + std::to_string(version_) + "\"";
  char last_modified[64];
  std::snprintf(last_modified, sizeof last_modified, "Thu, 01 Jan 2026 00:%02d:%02d GMT", version_ / 60 % 60,
                version_ % 60);
  if (r.method == "GET") {
    if (!body_) return Reply{404, "{\"error\":\"not found\"}", {}, false};
    Reply reply{200, *body_, {{"Content-Type", "application/json"}}, false};
    if (validators_.etag) reply.headers.emplace_back("ETag", validators_.weak ? "W/" + etag : etag);
    if (validators_.last_modified) reply.headers.emplace_back("Last-Modified", last_modified);
    return reply;
  }
  std::string if_match = r.Header("if-match");
  std::string if_unmodified = r.Header("if-unmodified-since");
  bool etag_matches = validators_.etag && !validators_.weak && if_match == etag;  // strong comparison
  if ((!if_match.empty() && (!body_ || !etag_matches)) ||
      (!if_unmodified.empty() && (!body_ || if_unmodified != last_modified)) ||
      (r.Header("if-none-match") == "*" && body_)) {
    return Reply{412, "", {}, false};
  }
  if (r.method == "DELETE") {
    if (!body_) return Reply{404, "", {}, false};
    body_.reset();
  } else {
    body_ = r.body;
  }
  ++version_;
  return Reply{204, "", {}, false};
}

}  // namespace seam::testing
