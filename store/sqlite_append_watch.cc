#include "store/sqlite_append_watch.h"

namespace seam {

SqliteAppendWatch::SqliteAppendWatch(std::unique_ptr<EventStore> reader, std::int64_t after_seq,
                                     std::function<void(std::int64_t)> on_append, std::chrono::milliseconds poll)
    : reader_(std::move(reader)),
      last_seq_(after_seq),
      on_append_(std::move(on_append)),
      poll_(poll),
      thread_([this] { Run(); }) {}

SqliteAppendWatch::~SqliteAppendWatch() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  thread_.join();
}

void SqliteAppendWatch::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_cv_.wait_for(lock, poll_, [this] { return stop_; })) {
    lock.unlock();
    Result<LogHead> head = reader_->Head();
    // A head that cannot be read wakes the caller too: it reads the head itself and says why.
    if (!head.ok()) {
      on_append_(last_seq_);
    } else if (head->seq != last_seq_) {  // past it, or back (a log restored from a backup)
      last_seq_ = head->seq;
      on_append_(last_seq_);
    }
    lock.lock();
  }
}

}  // namespace seam
