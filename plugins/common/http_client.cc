#include <utility>  // before Asio's awaitable.hpp, which uses std::exchange without it

#include "plugins/common/http_client.h"

#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

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
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <exception>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "plugins/common/format_bytes.h"
#include "plugins/common/network_context.h"
#include "plugins/common/resolve.h"
#include "plugins/common/wipe.h"

namespace seam {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// Wipes every buffer it frees: Beast's read buffer, bodies and header fields grow by
// reallocation, and the freed buffers held plaintext.
template <class T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() = default;
  template <class U>
  WipingAllocator(const WipingAllocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)
  T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    OPENSSL_cleanse(p, n * sizeof(T));
    std::allocator<T>().deallocate(p, n);
  }
  template <class U>
  bool operator==(const WipingAllocator<U>&) const noexcept { return true; }
};

using WipedBody = http::basic_string_body<char, std::char_traits<char>, WipingAllocator<char>>;
using WipedFields = http::basic_fields<WipingAllocator<char>>;
using WipedBuffer = beast::basic_flat_buffer<WipingAllocator<char>>;

// Every operation's error comes back as a value: the coroutines branch on it, nothing throws.
inline auto Into(beast::error_code& ec) { return net::redirect_error(net::use_awaitable, ec); }

std::string Ms(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

net::awaitable<Status> Connect(beast::tcp_stream& stream, const tcp::resolver::results_type& endpoints,
                              Clock::time_point deadline, std::chrono::milliseconds shown_timeout) {
  stream.expires_at(deadline);
  beast::error_code ec;
  co_await stream.async_connect(endpoints, Into(ec));
  if (!ec) co_return Status::Ok();
  if (ec == beast::error::timeout) co_return Status::Unavailable("connect timed out after " + Ms(shown_timeout));
  if (ec == net::error::connection_refused) co_return Status::Unavailable("connection refused");
  co_return Status::Unavailable("cannot connect: " + ec.message());
}

Status ExchangeError(const beast::error_code& ec, const HttpClientOptions& options) {
  if (ec == beast::error::timeout) return Status::Unavailable("timed out after " + Ms(options.timeout));
  if (ec == http::error::body_limit) {
    return Status::Unavailable("response body over " + FormatBytes(options.body_limit));
  }
  if (ec == http::error::header_limit) return Status::Unavailable("response header over 8 KiB");
  if (ec == http::error::end_of_stream || ec == net::error::eof || ec == http::error::partial_message ||
      ec == ssl::error::stream_truncated || ec == net::error::connection_reset) {
    return Status::Unavailable("connection closed before a complete response");
  }
  if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
    return Status::Unavailable("invalid HTTP response: " + ec.message());
  }
  return Status::Unavailable(ec.message());
}

std::string FieldOf(const http::response<WipedBody, WipedFields>& msg, http::field f) {
  auto it = msg.find(f);
  return it == msg.end() ? std::string() : std::string(it->value());
}

// What one request and response over a connection came to.
struct Outcome {
  Result<HttpResponse> result = Status::Internal("no exchange");
  bool reusable = false;          // the connection may carry the next request
  bool closed_unanswered = false;  // it was closed (or reset) before any response byte arrived
};

// The peer closed or reset the connection: what a server closing an idle connection looks like.
bool IsClosedByPeer(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::connection_aborted || ec == net::error::broken_pipe || ec == net::error::not_connected ||
         ec == ssl::error::stream_truncated;
}

// Request and response over a connected (and, for https, handshaken) stream.
template <class Stream>
net::awaitable<Outcome> Exchange(Stream& stream, const Url& url, const HttpRequest& request,
                                 const HttpClientOptions& options, Clock::time_point deadline) {
  Outcome out;
  auto& lowest = beast::get_lowest_layer(stream);
  http::request<WipedBody, WipedFields> req;
  req.method_string(request.method);
  req.target(url.target);
  req.version(11);  // keep-alive unless the server says otherwise
  req.set(http::field::host, url.host_header);
  req.set(http::field::user_agent, "seam-http-json");
  req.set(http::field::accept, "application/json");
  for (const auto& [name, value] : request.headers) req.set(name, value);
  if (!request.body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body().assign(request.body.data(), request.body.size());
  }
  req.prepare_payload();
  lowest.expires_at(deadline);
  beast::error_code ec;
  co_await http::async_write(stream, req, Into(ec));
  OPENSSL_cleanse(req.body().data(), req.body().size());  // the small-string buffer
  if (ec) {
    out.closed_unanswered = IsClosedByPeer(ec);
    out.result = ExchangeError(ec, options);
    co_return out;
  }

  WipedBuffer buffer;
  http::response_parser<WipedBody, WipingAllocator<char>> parser;
  parser.body_limit(options.body_limit);
  lowest.expires_at(deadline);
  co_await http::async_read_header(stream, buffer, parser, Into(ec));
  if (ec && IsClosedByPeer(ec) && !parser.got_some() && buffer.size() == 0) out.closed_unanswered = true;
  // Beast checks a Content-Length against body_limit once the header is parsed (and a
  // chunked or read-to-EOF body as it grows), so an oversized body is never read.
  if (!ec && !parser.is_done()) {
    co_await http::async_read(stream, buffer, parser, Into(ec));
  }
  // A TLS server that closes without close_notify after a complete response is fine.
  if (ec == ssl::error::stream_truncated && parser.is_done()) ec = {};
  auto& msg = parser.get();
  if (ec) {
    OPENSSL_cleanse(msg.body().data(), msg.body().size());
    out.result = ExchangeError(ec, options);
    co_return out;
  }
  HttpResponse r;
  r.status = msg.result_int();
  // Never the server's own reason phrase: it is free text the server controls (it may hold
  // anything, a token included) and it ends up in messages.
  if (http::int_to_status(r.status) != http::status::unknown) {
    r.reason = std::string(http::obsolete_reason(msg.result()));
  }
  r.etag = FieldOf(msg, http::field::etag);
  r.last_modified = FieldOf(msg, http::field::last_modified);
  r.content_type = FieldOf(msg, http::field::content_type);
  r.body.reserve(msg.body().size());
  r.body.assign(msg.body().data(), msg.body().size());
  OPENSSL_cleanse(msg.body().data(), msg.body().size());
  // Reusable when the server allowed it, the body was framed (not read to EOF) and nothing
  // followed the response (bytes we did not ask for mean the stream is out of step).
  out.reusable = msg.keep_alive() && !msg.need_eof() && buffer.size() == 0;
  out.result = std::move(r);
  co_return out;
}

// Trust: the system store plus ca_file; peer verification on. Before any stream is made from
// `ctx`: an SSL object copies the context's options when it is created.
Status ConfigureContext(ssl::context& ctx, const HttpClientOptions& options) {
  beast::error_code ec;
  ctx.set_verify_mode(ssl::verify_peer);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  ctx.set_default_verify_paths(ec);  // a host without a system store still works with ca_file
  if (options.ca_file) {
    ctx.load_verify_file(options.ca_file->string(), ec);
    if (ec) {
      return Status::FailedPrecondition("cannot load ca_file " + options.ca_file->string() + ": " + ec.message());
    }
  }
  return Status::Ok();
}

// The url's host (or address) must be named by the certificate; SNI for names.
Status ConfigureConnection(SSL* handle, const Url& url) {
  X509_VERIFY_PARAM* param = SSL_get0_param(handle);
  if (url.host_is_ip) {
    if (X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str()) != 1) {
      return Status::Internal("cannot set the expected IP address " + url.host);
    }
  } else {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (SSL_set1_host(handle, url.host.c_str()) != 1 ||
        SSL_ctrl(handle, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(url.host.c_str())) != 1) {
      return Status::Internal("cannot set the expected host name " + url.host);
    }
  }
  return Status::Ok();
}

}  // namespace

HttpRequest::~HttpRequest() {
  for (auto& [name, value] : headers) WipeString(value);
  WipeString(body);
}

HttpResponse::~HttpResponse() { WipeString(body); }

// One connection, on the network thread's context, and for https the TLS context its stream
// was made from. Declared in the order they must be built; destroyed in reverse, streams first.
struct HttpClient::Connection {
  std::optional<ssl::context> tls_context;
  std::optional<beast::tcp_stream> plain;
  std::optional<ssl::stream<beast::tcp_stream>> tls;

  net::awaitable<Outcome> Exchange(const Url& url, const HttpRequest& request, const HttpClientOptions& options,
                                   Clock::time_point deadline) {
    return tls ? seam::Exchange(*tls, url, request, options, deadline)
               : seam::Exchange(*plain, url, request, options, deadline);
  }
};

namespace {

// Idle connections by origin, shared by every client in the process. Never destroyed: clients
// may outlive static destruction order (a side held by a global), and the OS closes sockets at
// exit anyway.
class IdlePool {
 public:
  static IdlePool& Get() {
    static IdlePool* pool = new IdlePool;
    return *pool;
  }
  // The most recently used idle connection of `origin`, or nullptr. Connections idle for longer
  // than kMaxIdleAge are closed instead: servers time idle connections out, and a socket kept
  // past that only holds a file descriptor.
  std::unique_ptr<HttpClient::Connection> Take(const std::string& origin) {
    std::vector<Idle> expired;  // closed outside the lock
    std::unique_ptr<HttpClient::Connection> conn;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = idle_.find(origin);
      if (it == idle_.end()) return nullptr;
      const Clock::time_point now = Clock::now();
      while (!it->second.empty() && !conn) {
        Idle idle = std::move(it->second.back());
        it->second.pop_back();
        --total_;
        if (now - idle.since > kMaxIdleAge) expired.push_back(std::move(idle));
        else conn = std::move(idle.conn);
      }
    }
    return conn;
  }
  void Put(const std::string& origin, std::unique_ptr<HttpClient::Connection> conn) {
    std::unique_lock<std::mutex> lock(mu_);
    std::vector<Idle>& idle = idle_[origin];
    if (idle.size() >= kMaxIdlePerOrigin || total_ >= kMaxIdleTotal) {
      lock.unlock();
      return;  // `conn` closes here, outside the lock
    }
    idle.push_back(Idle{std::move(conn), Clock::now()});
    ++total_;
  }

 private:
  static constexpr std::chrono::seconds kMaxIdleAge{10};
  static constexpr std::size_t kMaxIdleTotal = 256;
  struct Idle {
    std::unique_ptr<HttpClient::Connection> conn;
    Clock::time_point since;
  };
  std::mutex mu_;
  std::map<std::string, std::vector<Idle>> idle_;
  std::size_t total_ = 0;
};

std::string OriginOf(const Url& url, const HttpClientOptions& options) {
  // '\n' cannot occur in any part, so the key is unambiguous.
  return std::string(url.https ? "https" : "http") + "\n" + url.host + "\n" + url.port + "\n" +
         (options.ca_file ? options.ca_file->string() : "");
}

}  // namespace

namespace {

using Connection = HttpClient::Connection;
using Target = HttpClient::Target;

// Makes a fresh connection by `deadline` (connecting within connect_timeout of now).
net::awaitable<Result<std::unique_ptr<Connection>>> OpenConnection(const Target& target, Clock::time_point deadline) {
  const HttpClientOptions& options = target.options;
  const Url& url = target.url;
  const Clock::time_point start = Clock::now();
  const Clock::time_point connect_deadline = std::min(deadline, start + options.connect_timeout);
  const std::chrono::milliseconds connect_shown = std::min(options.timeout, options.connect_timeout);
  // Resolving counts against the connect deadline: the connection must be up by then.
  Result<tcp::resolver::results_type> endpoints =
      co_await ResolveByDeadline(url.host, url.port, connect_deadline, connect_shown);
  if (!endpoints.ok()) co_return endpoints.status();
  auto conn = std::make_unique<Connection>();
  const net::any_io_executor executor = co_await net::this_coro::executor;

  if (!url.https) {
    conn->plain.emplace(executor);
    Status connected = co_await Connect(*conn->plain, *endpoints, connect_deadline, connect_shown);
    if (!connected.ok()) co_return connected;
    co_return conn;
  }
  ssl::context& ctx = conn->tls_context.emplace(ssl::context::tls_client);
  if (Status configured = ConfigureContext(ctx, options); !configured.ok()) co_return configured;
  ssl::stream<beast::tcp_stream>& stream = conn->tls.emplace(executor, ctx);
  if (Status named = ConfigureConnection(stream.native_handle(), url); !named.ok()) co_return named;
  Status connected = co_await Connect(beast::get_lowest_layer(stream), *endpoints, connect_deadline, connect_shown);
  if (!connected.ok()) co_return connected;
  beast::get_lowest_layer(stream).expires_at(deadline);
  beast::error_code ec;
  co_await stream.async_handshake(ssl::stream_base::client, Into(ec));
  if (ec) {
    if (ec == beast::error::timeout) co_return Status::Unavailable("timed out after " + Ms(options.timeout));
    long verify = SSL_get_verify_result(stream.native_handle());
    std::string why = verify != X509_V_OK ? X509_verify_cert_error_string(verify) : ec.message();
    co_return Status::Unavailable("TLS handshake failed: " + why);
  }
  co_return conn;
}

net::awaitable<Result<HttpResponse>> RoundTrip(const Target& target, const HttpRequest& request) {
  const Clock::time_point deadline = std::min(Clock::now() + target.options.timeout, request.deadline);
  std::unique_ptr<Connection> conn = IdlePool::Get().Take(target.origin);
  if (conn) {
    Outcome reused = co_await conn->Exchange(target.url, request, target.options, deadline);
    // The server closed the idle connection before it read the request (or before it began to
    // answer): the request is sent again, once, on a fresh connection. Anything else is final.
    if (reused.result.ok() || !reused.closed_unanswered) {
      if (reused.reusable) IdlePool::Get().Put(target.origin, std::move(conn));
      co_return std::move(reused.result);
    }
    conn.reset();
  }
  Result<std::unique_ptr<Connection>> fresh_conn = co_await OpenConnection(target, deadline);
  if (!fresh_conn.ok()) co_return fresh_conn.status();
  conn = std::move(fresh_conn).value();
  Outcome fresh = co_await conn->Exchange(target.url, request, target.options, deadline);
  if (fresh.reusable) IdlePool::Get().Put(target.origin, std::move(conn));
  co_return std::move(fresh.result);
}

// The coroutine co_spawn runs: its parameters live in its frame until `done` has been called.
net::awaitable<void> FetchAndCall(std::shared_ptr<const Target> target, std::shared_ptr<const HttpRequest> request,
                                  HttpClient::Done done) {
  Result<HttpResponse> result = Status::Internal("no exchange");
  try {
    result = co_await RoundTrip(*target, *request);
  } catch (const std::exception& e) {  // allocation failure: nothing else throws here
    result = Status::Internal(std::string("HTTP exchange failed: ") + e.what());
  }
  done(std::move(result));
}

}  // namespace

HttpClient::HttpClient(Url url, HttpClientOptions options) {
  auto target = std::make_shared<Target>();
  target->origin = OriginOf(url, options);
  target->url = std::move(url);
  target->options = std::move(options);
  target_ = std::move(target);
}

HttpClient::~HttpClient() = default;

void HttpClient::FetchAsync(std::shared_ptr<const HttpRequest> request, Done done) {
  net::co_spawn(NetworkContext(), FetchAndCall(target_, std::move(request), std::move(done)), net::detached);
}

Result<HttpResponse> HttpClient::Fetch(const HttpRequest& request) {
  if (OnNetworkThread()) return Status::Internal("a blocking HTTP request on the network thread would wait on itself");
  // The caller's request outlives the exchange: this call waits for it.
  std::shared_ptr<const HttpRequest> borrowed(&request, [](const HttpRequest*) {});
  auto answer = std::make_shared<std::promise<Result<HttpResponse>>>();
  std::future<Result<HttpResponse>> result = answer->get_future();
  FetchAsync(std::move(borrowed), [answer](Result<HttpResponse> r) { answer->set_value(std::move(r)); });
  return result.get();
}

}  // namespace seam
