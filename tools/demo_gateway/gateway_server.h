#pragma once
// The demo gateway's HTTP/1.1 server: an acceptor and one session per connection, all async on
// one io_context (one thread), keep-alive, a body limit (64 KiB: 413), a header limit (16 KiB:
// 431), and a per-request timeout (the connection is closed).

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>

#include "tools/demo_gateway/gateway_api.h"

namespace seam::demo {

struct ServerOptions {
  boost::asio::ip::tcp::endpoint endpoint;
  std::chrono::milliseconds request_timeout{15000};  // also the keep-alive idle limit
  bool log_requests = true;                           // one line per request on stderr
};

class GatewayServer {
 public:
  GatewayServer(boost::asio::io_context& ioc, GatewayApi& api, ServerOptions options);

  // Binds and listens; throws boost::system::system_error on failure. Then accepts forever.
  void Start();
  // Stops accepting; open sessions end when the io_context stops.
  void Stop();
  // The bound port (useful with port 0).
  unsigned short Port() const;

 private:
  void DoAccept();

  boost::asio::io_context& ioc_;
  GatewayApi& api_;
  ServerOptions options_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace seam::demo
