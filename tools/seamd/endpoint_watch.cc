#include "tools/seamd/endpoint_watch.h"

#include <boost/asio/connect.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

namespace seam::seamd {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using ErrorCode = boost::system::error_code;
using std::chrono::milliseconds;

namespace {

// A connection that is not up within this long counts as refused (a host that drops SYNs).
constexpr milliseconds kConnectTimeout{2000};
// A restart is usually over within a second or two: retries come often then (a refused connect
// to a live host costs one round trip), and back off for a server that stays down.
constexpr milliseconds kQuickRetry{25};
constexpr int kQuickRetries = 40;  // the first second
constexpr milliseconds kRetry{100};
constexpr int kRetries = 60;  // the next two seconds
constexpr milliseconds kSlowestRetry{5000};

}  // namespace

milliseconds ReconnectDelay(int failures) {
  if (failures < kQuickRetries) return kQuickRetry;
  if (failures < kRetries) return kRetry;
  const int doublings = std::min(failures - kRetries + 1, 6);
  return std::min(kRetry * (1 << doublings), kSlowestRetry);
}

EndpointWatch::EndpointWatch(net::io_context& io, std::string host, std::string port, std::function<void()> server_back)
    : io_(io),
      host_(std::move(host)),
      port_(std::move(port)),
      name_((host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_) + ":" + port_),
      server_back_(std::move(server_back)),
      resolver_(io),
      socket_(io),
      timer_(io) {}

void EndpointWatch::Start() { Connect(); }

void EndpointWatch::Stop() {
  stopped_ = true;
  resolver_.cancel();
  timer_.cancel();
  ErrorCode ignored;
  socket_.close(ignored);
}

void EndpointWatch::Connect() {
  if (stopped_) return;
  auto self = shared_from_this();
  connecting_ = true;
  timer_.expires_after(kConnectTimeout);
  timer_.async_wait([self](const ErrorCode& ec) {
    // Cancelled, or already queued when the attempt ended: the attempt is over.
    if (ec || self->stopped_ || !self->connecting_) return;
    self->resolver_.cancel();
    ErrorCode ignored;
    self->socket_.close(ignored);  // the pending connect completes with operation_aborted
  });
  resolver_.async_resolve(host_, port_, tcp::resolver::numeric_service,
                          [self](const ErrorCode& ec, const tcp::resolver::results_type& endpoints) {
                            if (self->stopped_) return;
                            if (ec) return self->Failed();
                            net::async_connect(self->socket_, endpoints, [self](const ErrorCode& cec, const tcp::endpoint&) {
                              if (self->stopped_) return;
                              if (cec) return self->Failed();
                              self->Connected();
                            });
                          });
}

void EndpointWatch::Connected() {
  connecting_ = false;
  timer_.cancel();
  if (lost_) {
    // After refusals (a restart, an outage) that is news; after the server's own idle timeout,
    // which comes back at once, it is routine.
    if (failures_ > 0) {
      spdlog::info("endpoint {} accepts connections again: looking at its seams now", name_);
    } else {
      spdlog::debug("endpoint {} reconnected after closing the idle connection: looking at its seams", name_);
    }
    server_back_();
  }
  connected_once_ = true;
  lost_ = false;
  failures_ = 0;
  AwaitClose();
}

void EndpointWatch::Failed() {
  connecting_ = false;
  timer_.cancel();
  ErrorCode ignored;
  socket_.close(ignored);
  if (connected_once_ && !lost_) spdlog::info("endpoint {} refuses connections", name_);
  lost_ = true;
  ++failures_;
  Retry(ReconnectDelay(failures_));
}

void EndpointWatch::AwaitClose() {
  auto self = shared_from_this();
  // Nothing is sent, so nothing should arrive: end of stream, a reset, or (from a server that
  // says goodbye, e.g. an HTTP 408) a byte all mean the server is done with the connection.
  socket_.async_read_some(net::buffer(byte_), [self](const ErrorCode& /*ec*/, std::size_t /*n*/) {
    if (self->stopped_) return;
    ErrorCode ignored;
    self->socket_.close(ignored);
    spdlog::debug("endpoint {} closed the idle connection; reconnecting", self->name_);
    self->lost_ = true;
    self->Retry(ReconnectDelay(0));
  });
}

void EndpointWatch::Retry(milliseconds delay) {
  if (stopped_) return;
  auto self = shared_from_this();
  timer_.expires_after(delay);
  timer_.async_wait([self](const ErrorCode& ec) {
    if (!ec) self->Connect();
  });
}

}  // namespace seam::seamd
