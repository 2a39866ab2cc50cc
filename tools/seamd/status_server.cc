#include "tools/seamd/status_server.h"

#include <algorithm>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

namespace seam::seamd {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr std::uint64_t kBodyLimit = 1024;
constexpr std::uint32_t kHeaderLimit = 8 * 1024;

Response Reply(unsigned version, bool keep_alive, http::status status, std::string body, const char* type) {
  Response response{status, version};
  response.set(http::field::server, "seamd");
  response.set(http::field::content_type, type);
  response.set(http::field::cache_control, "no-store");
  response.keep_alive(keep_alive);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response JsonReply(unsigned version, bool keep_alive, http::status status, const nlohmann::json& body) {
  // A query parameter may carry any bytes (`?seam=%FF`): never let them throw.
  return Reply(version, keep_alive, status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
               "application/json");
}

Response Error(const Request& request, http::status status, const std::string& message) {
  return JsonReply(request.version(), request.keep_alive(), status, {{"error", message}});
}

// The value of `key` in a query string "a=1&b=2" (no percent-decoding: seam names need none).
std::optional<std::string> QueryParam(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) return std::string(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

// The bearer token, or (GET and HEAD only) a browser session's cookie from GET /login.
bool Authorized(const Request& request, const std::optional<Secret>& token, BrowserSessions& sessions) {
  if (!token) return true;
  const bool reads = request.method() == http::verb::get || request.method() == http::verb::head;
  if (const auto cookie = request.find(http::field::cookie); reads && cookie != request.end()) {
    if (sessions.Valid(std::string_view(cookie->value().data(), cookie->value().size()),
                       BrowserSessions::Clock::now())) {
      return true;
    }
  }
  const auto it = request.find(http::field::authorization);
  if (it == request.end()) return false;
  const std::string_view value(it->value().data(), it->value().size());
  constexpr std::string_view kBearer = "Bearer ";
  if (value.size() <= kBearer.size() || value.substr(0, kBearer.size()) != kBearer) return false;
  return Secret(value.substr(kBearer.size())).Equals(*token);
}

Response Html(const Request& request, http::status status, const std::string& body) {
  return Reply(request.version(), request.keep_alive(), status,
               "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>seamd</title></head><body>" +
                   body + "</body></html>\n",
               "text/html; charset=utf-8");
}

// GET /login: a form for the listener's token; POST /login: a session cookie for this browser
// when the token is right. A listener without a token needs no login.
Response Login(const Request& request, const ListenOptions& options, BrowserSessions& sessions) {
  auto to_root = [&](const std::string& cookie) {
    Response r = Html(request, http::status::see_other, "<p><a href=\"/\">Continue</a></p>");
    r.set(http::field::location, "/");
    if (!cookie.empty()) {
      r.set(http::field::set_cookie, std::string(BrowserSessions::kCookie) + "=" + cookie +
                                         "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                                         std::to_string(std::chrono::seconds(BrowserSessions::kLifetime).count()));
    }
    return r;
  };
  if (!options.token) return to_root("");
  const std::string form =
      "<form method=\"post\" action=\"/login\"><p><label>The status listener's token "
      "<input type=\"password\" name=\"token\" autocomplete=\"current-password\" autofocus></label> "
      "<button>Log in</button></p></form>";
  if (request.method() == http::verb::get || request.method() == http::verb::head) {
    return Html(request, http::status::ok, "<h1>seamd</h1>" + form);
  }
  if (request.method() != http::verb::post) {
    Response r = Error(request, http::status::method_not_allowed, "method not allowed; use GET or POST");
    r.set(http::field::allow, "GET, POST");
    return r;
  }
  std::optional<std::string> given = FormToken(request.body());
  const bool right = given && Secret(std::move(*given)).Equals(*options.token);
  if (!right) return Html(request, http::status::unauthorized, "<h1>seamd</h1><p>That is not the token.</p>" + form);
  Result<std::string> cookie = sessions.Open(BrowserSessions::Clock::now());
  if (!cookie.ok()) return Error(request, http::status::internal_server_error, cookie.status().message());
  return to_root(*cookie);
}

// The response to `request`, or nullopt for GET / (the page is built off the loop and answered
// when ready: Session::OnRead).
std::optional<Response> Route(const Request& request, const StatusHandlers& handlers, const ListenOptions& options,
                              BrowserSessions& sessions) {
  const std::string_view target(request.target().data(), request.target().size());
  const std::size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  if (path == "/login") return Login(request, options, sessions);
  if (!Authorized(request, options.token, sessions)) {
    Response r = path == "/" ? Html(request, http::status::unauthorized,
                                    "<h1>seamd</h1><p>This listener needs its token: <a href=\"/login\">log in</a>.</p>")
                             : Error(request, http::status::unauthorized, "a bearer token is required");
    r.set(http::field::www_authenticate, "Bearer");
    return r;
  }
  const std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  const http::verb method = request.method();
  const bool get = method == http::verb::get || method == http::verb::head;
  auto not_allowed = [&](const char* allow) {
    Response r = Error(request, http::status::method_not_allowed, "method not allowed; use " + std::string(allow));
    r.set(http::field::allow, allow);
    return r;
  };

  if (path == "/") {
    if (!get) return not_allowed("GET");
    if (const std::optional<std::string> status = QueryParam(query, "status"); status && !status->empty()) {
      const auto& known = kPageStatuses;
      if (std::find(std::begin(known), std::end(known), *status) == std::end(known)) {
        return Error(request, http::status::bad_request,
                     "unknown status in ?status=; use drift, flapping, unknown, in_sync or unset");
      }
    }
    return std::nullopt;
  }
  if (path == "/healthz") {
    if (!get) return not_allowed("GET");
    return JsonReply(request.version(), request.keep_alive(), http::status::ok, {{"status", "ok"}});
  }
  if (path == "/status") {
    if (!get) return not_allowed("GET");
    return Reply(request.version(), request.keep_alive(), http::status::ok, handlers.status_json(),
                 "application/json");
  }
  if (path == "/metrics") {
    if (!get) return not_allowed("GET");
    return Reply(request.version(), request.keep_alive(), http::status::ok, handlers.metrics_text(),
                 "text/plain; version=0.0.4; charset=utf-8");
  }
  if (path == "/reconcile") {
    if (method != http::verb::post) return not_allowed("POST");
    const std::optional<std::string> seam = QueryParam(query, "seam");
    if (!seam || seam->empty()) return Error(request, http::status::bad_request, "missing ?seam=NAME");
    if (!handlers.reconcile(*seam)) {
      return Error(request, http::status::not_found, "no seam named `" + *seam + "` in the running config");
    }
    return JsonReply(request.version(), request.keep_alive(), http::status::accepted, {{"queued", *seam}});
  }
  return Error(request, http::status::not_found, "not found; try /, /healthz, /status, /metrics, POST /reconcile");
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const StatusHandlers& handlers, const ListenOptions& options, BrowserSessions& sessions)
      : stream_(std::move(socket)), handlers_(handlers), options_(options), sessions_(sessions) {}

  void Start() { DoRead(); }

 private:
  void DoRead() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(options_.request_timeout);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout) return DoClose();
    if (ec == http::error::body_limit) {
      return Send(JsonReply(11, false, http::status::payload_too_large, {{"error", "body over 1 KiB"}}));
    }
    if (ec == http::error::header_limit) {
      return Send(JsonReply(11, false, http::status::request_header_fields_too_large, {{"error", "headers over 8 KiB"}}));
    }
    if (ec && ec.category() == http::make_error_code(http::error::body_limit).category()) {
      return Send(JsonReply(11, false, http::status::bad_request, {{"error", "malformed HTTP request"}}));
    }
    if (ec) return;  // connection reset and the like: nothing to answer
    const Request& request = parser_->get();
    std::optional<Response> response = Route(request, handlers_, options_, sessions_);
    if (response) return Answer(std::move(*response));
    // GET /: the read timeout stays armed until the page comes back (a client gone by then is
    // answered into a closed socket, harmlessly).
    const std::string_view target(request.target().data(), request.target().size());
    const std::size_t q = target.find('?');
    const std::string status =
        q == std::string_view::npos ? std::string() : QueryParam(target.substr(q + 1), "status").value_or("");
    handlers_.timeline_html(status, [self = shared_from_this(), version = request.version(),
                                     keep_alive = request.keep_alive()](std::string html) mutable {
      self->Answer(Reply(version, keep_alive, http::status::ok, std::move(html), "text/html; charset=utf-8"));
    });
  }

  void Answer(Response response) {
    const Request& request = parser_->get();
    // Method, path without the query, status: never a header (the token lives there).
    const std::string_view target(request.target().data(), request.target().size());
    spdlog::debug("status listener: {} {} {}", std::string_view(request.method_string().data(), request.method_string().size()),
                  target.substr(0, target.find('?')), response.result_int());
    if (request.method() == http::verb::head) response.body().clear();
    Send(std::move(response));
  }

  void Send(Response response) {
    response_ = std::move(response);
    stream_.expires_after(options_.request_timeout);
    http::async_write(stream_, response_, beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
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
  const StatusHandlers& handlers_;
  const ListenOptions& options_;
  BrowserSessions& sessions_;
};

}  // namespace

Result<tcp::endpoint> ParseListenAddress(const std::string& text, const std::string& what) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    return Status::InvalidArgument(what + " must be HOST:PORT (e.g. 127.0.0.1:9477), got `" + text + "`");
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  const std::string port_text = text.substr(colon + 1);
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(port_text, &used);
    if (used != port_text.size() || port > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    return Status::InvalidArgument(what + ": bad port `" + port_text + "` in `" + text + "`");
  }
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument(what + ": `" + host + "` is not an IP address (or localhost)");
  return tcp::endpoint(address, static_cast<unsigned short>(port));
}

Result<Secret> ReadTokenFile(const std::string& file, const std::string& given_as) {
  const std::string what = given_as.empty() ? "--token-file " + file : given_as;
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::InvalidArgument(what + ": cannot read it");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::InvalidArgument(what + ": cannot read it");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) {
    text.pop_back();
  }
  Secret token(std::move(text));
  if (token.empty()) return Status::InvalidArgument(what + " is empty");
  if (token.Reveal().find_first_of(" \t\r\n") != std::string_view::npos) {
    return Status::InvalidArgument(what + ": the token must be one line without spaces");
  }
  return token;
}

StatusServer::StatusServer(asio::io_context& io, StatusHandlers handlers, ListenOptions options)
    : io_(io), handlers_(std::move(handlers)), options_(std::move(options)), acceptor_(io) {}

Status StatusServer::Start() {
  beast::error_code ec;
  acceptor_.open(options_.endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(options_.endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IoError("--listen " + options_.endpoint.address().to_string() + ":" +
                           std::to_string(options_.endpoint.port()) + ": cannot listen: " + ec.message());
  }
  DoAccept();
  return Status::Ok();
}

void StatusServer::Stop() {
  beast::error_code ignored;
  acceptor_.close(ignored);
}

unsigned short StatusServer::Port() const { return acceptor_.local_endpoint().port(); }

void StatusServer::DoAccept() {
  acceptor_.async_accept(io_, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(std::move(socket), handlers_, options_, sessions_)->Start();
    } else {
      spdlog::warn("status listener: accept: {}", ec.message());
    }
    DoAccept();
  });
}

}  // namespace seam::seamd
