#include "tools/seamd/loop_mailbox.h"

#include <boost/asio/post.hpp>

#include <utility>

namespace seam::seamd {

void LoopMailbox::Post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.push_back(std::move(fn));
    if (drain_posted_) return;  // the loop has not taken the list yet: it will take this too
    drain_posted_ = true;
  }
  boost::asio::post(io_, [self = shared_from_this()] { self->Drain(); });
}

void LoopMailbox::Drain() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(pending_);
    drain_posted_ = false;
  }
  for (std::function<void()>& fn : batch) fn();
}

}  // namespace seam::seamd
