#pragma once
// StoreSocketWatch: drives a store's LoopAppendWatch (core/event_store.h) from seamd's Asio loop:
// waits for its socket (a posix::stream_descriptor that never owns the descriptor: libpq does)
// or its timeout on the loop, then steps it. So a PostgreSQL store wakes seamd on appends with
// no thread blocked on the database (README "Many hosts"), and a lost connection is retried
// with back-off without holding anything up.
//
// The descriptor is released before every step: a step may close the socket (a reconnection),
// and a new connection's socket may reuse its number.
//
// Thread-compatible: created, started and stopped on the loop's thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/event_store.h"

namespace seam::seamd {

class StoreSocketWatch : public std::enable_shared_from_this<StoreSocketWatch> {
 public:
  // `on_append(head_seq)` runs on the loop when the log's head moved. `what` names the store in
  // log lines.
  StoreSocketWatch(boost::asio::io_context& io, std::unique_ptr<LoopAppendWatch> watch, std::string what,
                   std::function<void(std::int64_t)> on_append);
  ~StoreSocketWatch();
  void Start();
  // No further steps or callbacks; the connection closes when the watch is destroyed.
  void Stop();

 private:
  void Arm();
  void Fired(std::uint64_t generation, bool timed_out);
  void ReleaseSocket();

  std::unique_ptr<LoopAppendWatch> watch_;
  std::string what_;
  std::function<void(std::int64_t)> on_append_;
  boost::asio::posix::stream_descriptor socket_;
  int fd_ = -1;  // the descriptor socket_ holds now, -1 none
  boost::asio::steady_timer timer_;
  std::uint64_t generation_ = 0;  // +1 per arming: a completion of an older one is ignored
  bool stopped_ = false;
  bool connected_once_ = false;
  std::string trouble_ = "not connected yet";  // the watch's Trouble() after the last step
};

}  // namespace seam::seamd
