#include "tests/e2e/http_request.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <exception>

namespace seam::e2e {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

HttpReply Http(unsigned short port, http::verb method, const std::string& target, const std::string& bearer,
               const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers) {
  HttpReply reply;
  try {
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, "127.0.0.1");
    if (!bearer.empty()) request.set(http::field::authorization, "Bearer " + bearer);
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    request.prepare_payload();
    http::write(socket, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(socket, buffer, response);
    reply.status = static_cast<int>(response.result_int());
    reply.body = response.body();
    reply.content_type = std::string(response[http::field::content_type]);
    reply.location = std::string(response[http::field::location]);
    reply.set_cookie = std::string(response[http::field::set_cookie]);
  } catch (const std::exception& e) {
    reply.body = e.what();
  }
  return reply;
}

}  // namespace seam::e2e
