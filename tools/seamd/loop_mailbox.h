#pragma once
// LoopMailbox: how workers hand finished passes back to seamd's event loop.
//
// Posting to an io_context from another thread wakes its loop each time (a system call on the
// worker, a wake-up on the loop). In the start-up pass 10,000 passes finish within a second;
// the mailbox batches them: a worker appends to a list and posts one drain to the loop only
// when the list was empty, so a burst wakes the loop once and the loop runs the whole batch.
//
// Thread-safety: Post may be called from any thread; the functions run on the loop's thread,
// in the order they were posted.

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace seam::seamd {

class LoopMailbox : public std::enable_shared_from_this<LoopMailbox> {
 public:
  explicit LoopMailbox(boost::asio::io_context& io) : io_(io) {}
  void Post(std::function<void()> fn);

 private:
  void Drain();

  boost::asio::io_context& io_;
  std::mutex mu_;
  std::vector<std::function<void()>> pending_;
  bool drain_posted_ = false;
};

}  // namespace seam::seamd
