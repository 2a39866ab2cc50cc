#include <utility>  // before Asio's awaitable.hpp, which uses std::exchange without it

#include "plugins/tls_endpoint/tls_probe.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/core/error.hpp>
#include <exception>
#include <future>
#include <memory>
#include <optional>

#include "plugins/common/network_context.h"
#include "plugins/common/resolve.h"

namespace seam {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using ErrorCode = boost::system::error_code;

std::string Ms(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

inline auto Into(ErrorCode& ec) { return net::redirect_error(net::use_awaitable, ec); }

Status HandshakeError(const ErrorCode& ec) {
  if (ec == net::error::eof || ec == ssl::error::stream_truncated || ec == net::error::connection_reset) {
    return Status::Unavailable("connection closed during the TLS handshake");
  }
  return Status::Unavailable("TLS handshake failed: " + ec.message());
}

// The deadlines are the tcp_stream's own timers (expires_at): they cancel the operation, which
// then completes with beast::error::timeout.
// DER of `cert`; "" when it does not encode.
std::string Der(X509* cert) {
  unsigned char* buf = nullptr;
  const int len = i2d_X509(cert, &buf);
  std::string der;
  if (len > 0) der.assign(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
  OPENSSL_free(buf);
  return der;
}

// The leaf, then the rest of the chain the server sent (at most kMaxPeerChain certificates).
PeerChain ChainOf(SSL* ssl) {
  PeerChain chain;
  if (X509* peer = SSL_get1_peer_certificate(ssl)) {
    chain.push_back(Der(peer));
    X509_free(peer);
  }
  if (chain.empty() || chain.front().empty()) return {};
  // On a client the stack starts with the peer's own certificate: skipped (it is the leaf).
  if (STACK_OF(X509)* sent = SSL_get_peer_cert_chain(ssl)) {
    for (int i = 0; i < sk_X509_num(sent) && chain.size() < kMaxPeerChain; ++i) {
      std::string der = Der(sk_X509_value(sent, i));
      if (!der.empty() && der != chain.front()) chain.push_back(std::move(der));
    }
  }
  return chain;
}

net::awaitable<Result<PeerChain>> Probe(const TlsProbeOptions& options) {
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + options.timeout;
  const Clock::time_point connect_deadline = std::min(deadline, start + options.connect_timeout);
  const std::chrono::milliseconds connect_shown = std::min(options.timeout, options.connect_timeout);
  Result<tcp::resolver::results_type> endpoints =
      co_await ResolveByDeadline(options.host, std::to_string(options.port), connect_deadline, connect_shown);
  if (!endpoints.ok()) co_return endpoints.status();

  ssl::context ctx(ssl::context::tls_client);
  // Observe what is served, whoever signed it (see the header): no verification at all.
  ctx.set_verify_mode(ssl::verify_none);
  ssl::stream<beast::tcp_stream> stream(co_await net::this_coro::executor, ctx);
  beast::tcp_stream& tcp_layer = stream.next_layer();
  if (!options.server_name.empty() &&
      SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(options.server_name.c_str())) != 1) {
    co_return Status::Internal("cannot set the server name " + options.server_name);
  }

  ErrorCode ec;
  tcp_layer.expires_at(connect_deadline);
  co_await tcp_layer.async_connect(*endpoints, Into(ec));
  if (ec == beast::error::timeout) co_return Status::Unavailable("connect timed out after " + Ms(connect_shown));
  if (ec == net::error::connection_refused) co_return Status::Unavailable("connection refused");
  if (ec) co_return Status::Unavailable("cannot connect: " + ec.message());

  tcp_layer.expires_at(deadline);
  co_await stream.async_handshake(ssl::stream_base::client, Into(ec));
  if (ec == beast::error::timeout) co_return Status::Unavailable("TLS handshake timed out after " + Ms(options.timeout));
  if (ec) co_return HandshakeError(ec);

  PeerChain chain = ChainOf(stream.native_handle());
  // A polite close (close_notify both ways), bounded and best effort: the certificates are in hand.
  tcp_layer.expires_at(std::min(deadline, Clock::now() + std::chrono::milliseconds(250)));
  co_await stream.async_shutdown(Into(ec));
  tcp_layer.close();
  if (chain.empty()) co_return Status::Unavailable("the server presented no certificate");
  co_return chain;
}

// The coroutine co_spawn runs: its parameters live in its frame until `done` has been called.
net::awaitable<void> ProbeAndCall(TlsProbeOptions options, std::function<void(Result<PeerChain>)> done) {
  Result<PeerChain> result = Status::Internal("no probe");
  try {
    result = co_await Probe(options);
  } catch (const std::exception& e) {  // allocation failure: nothing else throws here
    result = Status::Internal(std::string("TLS probe failed: ") + e.what());
  }
  done(std::move(result));
}

}  // namespace

void FetchPeerChainAsync(TlsProbeOptions options, std::function<void(Result<PeerChain>)> done) {
  net::co_spawn(NetworkContext(), ProbeAndCall(std::move(options), std::move(done)), net::detached);
}

Result<PeerChain> FetchPeerChain(const TlsProbeOptions& options) {
  if (OnNetworkThread()) return Status::Internal("a blocking TLS probe on the network thread would wait on itself");
  auto answer = std::make_shared<std::promise<Result<PeerChain>>>();
  std::future<Result<PeerChain>> result = answer->get_future();
  FetchPeerChainAsync(options, [answer](Result<PeerChain> r) { answer->set_value(std::move(r)); });
  return result.get();
}

}  // namespace seam
