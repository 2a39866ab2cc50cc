#include "tools/demo_gateway/gateway_server.h"

#include <boost/asio/socket_base.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <iostream>
#include <memory>
#include <optional>
#include <utility>

namespace seam::demo {
namespace {

namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr std::uint64_t kBodyLimit = 64 * 1024;
constexpr std::uint32_t kHeaderLimit = 16 * 1024;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, GatewayApi& api, const ServerOptions& options)
      : stream_(std::move(socket)), api_(api), options_(options) {}

  void Start() { DoRead(); }

 private:
  void DoRead() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(options_.request_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout) return DoClose();
    if (ec == http::error::body_limit) {
      return Reply(ErrorResponse(http::status::payload_too_large, "body over 64 KiB", 11, false));
    }
    if (ec == http::error::header_limit) {
      return Reply(ErrorResponse(http::status::request_header_fields_too_large,
                                 "headers over 16 KiB", 11, false));
    }
    if (ec && ec.category() == http::make_error_code(http::error::body_limit).category()) {
      return Reply(ErrorResponse(http::status::bad_request, "malformed HTTP request", 11, false));
    }
    if (ec) return;  // connection reset and the like: nothing to answer
    const Request& request = parser_->get();
    Response response = api_.Handle(request);
    if (options_.log_requests) {
      // Method, path without the query, status: never a header or a body (tokens live there).
      const std::string_view target(request.target().data(), request.target().size());
      std::clog << "demo-gateway: " << request.method_string() << ' '
                << target.substr(0, target.find('?')) << ' ' << response.result_int() << '\n';
    }
    Reply(std::move(response));
  }

  void Reply(Response response) {
    response_ = std::move(response);
    stream_.expires_after(options_.request_timeout);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) return;
    if (!response_.keep_alive()) return DoClose();
    DoRead();
  }

  void DoClose() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response response_;
  GatewayApi& api_;
  ServerOptions options_;
};

}  // namespace

GatewayServer::GatewayServer(asio::io_context& ioc, GatewayApi& api, ServerOptions options)
    : ioc_(ioc), api_(api), options_(std::move(options)), acceptor_(ioc) {}

void GatewayServer::Start() {
  acceptor_.open(options_.endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(options_.endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  DoAccept();
}

void GatewayServer::Stop() {
  beast::error_code ignored;
  acceptor_.close(ignored);
}

unsigned short GatewayServer::Port() const { return acceptor_.local_endpoint().port(); }

void GatewayServer::DoAccept() {
  acceptor_.async_accept(ioc_, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(std::move(socket), api_, options_)->Start();
    } else {
      std::clog << "demo-gateway: accept: " << ec.message() << '\n';
    }
    DoAccept();
  });
}

}  // namespace seam::demo
