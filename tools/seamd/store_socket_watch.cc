#include "tools/seamd/store_socket_watch.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace seam::seamd {

StoreSocketWatch::StoreSocketWatch(boost::asio::io_context& io, std::unique_ptr<LoopAppendWatch> watch,
                                   std::string what, std::function<void(std::int64_t)> on_append)
    : watch_(std::move(watch)), what_(std::move(what)), on_append_(std::move(on_append)), socket_(io), timer_(io) {}

StoreSocketWatch::~StoreSocketWatch() { ReleaseSocket(); }

void StoreSocketWatch::Start() { Fired(generation_, true); }

void StoreSocketWatch::Stop() {
  stopped_ = true;
  ++generation_;
  timer_.cancel();
  ReleaseSocket();
}

void StoreSocketWatch::ReleaseSocket() {
  if (fd_ < 0) return;
  // Cancels the wait and deregisters it; the descriptor stays open (libpq closes it).
  (void)socket_.release();
  fd_ = -1;
}

void StoreSocketWatch::Arm() {
  const LoopAppendWatch::Wait wait = watch_->Next();
  const std::uint64_t generation = ++generation_;
  std::weak_ptr<StoreSocketWatch> weak = weak_from_this();
  if (wait.fd >= 0) {
    boost::system::error_code ec;
    socket_.assign(wait.fd, ec);
    if (!ec) {
      fd_ = wait.fd;
      socket_.async_wait(wait.write ? boost::asio::posix::stream_descriptor::wait_write
                                    : boost::asio::posix::stream_descriptor::wait_read,
                         [weak, generation](const boost::system::error_code& e) {
                           if (e) return;
                           if (auto self = weak.lock()) self->Fired(generation, false);
                         });
    } else {
      spdlog::warn("{}: cannot wait on the database's socket: {}", what_, ec.message());
    }
  }
  timer_.expires_after(wait.timeout);
  timer_.async_wait([weak, generation](const boost::system::error_code& e) {
    if (e) return;
    if (auto self = weak.lock()) self->Fired(generation, true);
  });
}

void StoreSocketWatch::Fired(std::uint64_t generation, bool timed_out) {
  if (stopped_ || generation != generation_) return;
  ++generation_;  // the other wait of this arming is stale now
  timer_.cancel();
  ReleaseSocket();
  const std::optional<std::int64_t> head = watch_->Step(timed_out);
  // Said once per outage: the first trouble, and when the database answers again (the
  // retries' own reasons at debug).
  const std::string trouble = watch_->Trouble();
  if (trouble != trouble_) {
    if (trouble.empty()) {
      if (connected_once_) spdlog::info("{}: watching the log's appends again", what_);
      connected_once_ = true;
    } else if (trouble_.empty() || (!connected_once_ && trouble_ == "not connected yet")) {
      spdlog::warn("{}: watching the log's appends: {}; reconnecting with back-off", what_, trouble);
    } else {
      spdlog::debug("{}: watching the log's appends: {}", what_, trouble);
    }
    trouble_ = trouble;
  }
  if (head) on_append_(*head);
  if (!stopped_) Arm();
}

}  // namespace seam::seamd
