#include "plugins/tls_endpoint/tls_probe.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <memory>
#include <optional>

#include "plugins/common/resolve.h"

namespace seam {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using ErrorCode = boost::system::error_code;

std::string Ms(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

// Runs one asynchronous operation on `ioc` until it completes or `deadline` passes. On the
// deadline the socket is closed, which cancels the operation, and nullopt is returned.
template <class Start>
std::optional<ErrorCode> RunUntil(net::io_context& ioc, tcp::socket& socket, Clock::time_point deadline,
                                  Start&& start) {
  std::optional<ErrorCode> result;
  start([&result](const ErrorCode& ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run_until(deadline);
  if (result) return result;
  ErrorCode ignored;
  socket.close(ignored);
  ioc.restart();
  ioc.run();  // lets the cancelled operation finish (with operation_aborted)
  return std::nullopt;
}

Status HandshakeError(const ErrorCode& ec) {
  if (ec == net::error::eof || ec == ssl::error::stream_truncated || ec == net::error::connection_reset) {
    return Status::Unavailable("connection closed during the TLS handshake");
  }
  return Status::Unavailable("TLS handshake failed: " + ec.message());
}

}  // namespace

Result<std::string> FetchPeerCertificate(const TlsProbeOptions& options) {
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + options.timeout;
  const Clock::time_point connect_deadline = std::min(deadline, start + options.connect_timeout);
  const std::chrono::milliseconds connect_shown = std::min(options.timeout, options.connect_timeout);
  SEAM_ASSIGN_OR_RETURN(tcp::resolver::results_type endpoints,
                        ResolveByDeadline(options.host, std::to_string(options.port), connect_deadline, connect_shown));

  net::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  // Observe what is served, whoever signed it (see the header): no verification at all.
  ctx.set_verify_mode(ssl::verify_none);
  ssl::stream<tcp::socket> stream(ioc, ctx);
  tcp::socket& socket = stream.next_layer();
  if (!options.server_name.empty() &&
      SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(options.server_name.c_str())) != 1) {
    return Status::Internal("cannot set the server name " + options.server_name);
  }

  std::optional<ErrorCode> ec = RunUntil(ioc, socket, connect_deadline, [&](auto handler) {
    net::async_connect(socket, endpoints, std::move(handler));
  });
  if (!ec) return Status::Unavailable("connect timed out after " + Ms(connect_shown));
  if (*ec == net::error::connection_refused) return Status::Unavailable("connection refused");
  if (*ec) return Status::Unavailable("cannot connect: " + ec->message());

  ec = RunUntil(ioc, socket, deadline, [&](auto handler) {
    stream.async_handshake(ssl::stream_base::client, std::move(handler));
  });
  if (!ec) return Status::Unavailable("TLS handshake timed out after " + Ms(options.timeout));
  if (*ec) return HandshakeError(*ec);

  std::string der;
  if (X509* peer = SSL_get1_peer_certificate(stream.native_handle())) {
    unsigned char* buf = nullptr;
    int len = i2d_X509(peer, &buf);
    if (len > 0) der.assign(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
    OPENSSL_free(buf);
    X509_free(peer);
  }
  // A polite close (close_notify both ways), bounded and best effort: the certificate is in hand.
  RunUntil(ioc, socket, std::min(deadline, Clock::now() + std::chrono::milliseconds(250)),
           [&](auto handler) { stream.async_shutdown(std::move(handler)); });
  ErrorCode ignored;
  socket.close(ignored);
  if (der.empty()) return Status::Unavailable("the server presented no certificate");
  return der;
}

}  // namespace seam
