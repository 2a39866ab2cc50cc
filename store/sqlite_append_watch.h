#pragma once
// SqliteAppendWatch: EventStore::WatchAppends for SQLite, which has no notification across
// processes: a thread of its own reads the log's head on a read-only connection of its own every
// `poll` and calls back when it moved (or could not be read, so the caller reads and reports).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/event_store.h"

namespace seam {

class SqliteAppendWatch final : public AppendWatch {
 public:
  // `reader` is used by the watch's thread alone from here on.
  SqliteAppendWatch(std::unique_ptr<EventStore> reader, std::int64_t after_seq,
                    std::function<void(std::int64_t)> on_append, std::chrono::milliseconds poll);
  ~SqliteAppendWatch() override;
  SqliteAppendWatch(const SqliteAppendWatch&) = delete;
  SqliteAppendWatch& operator=(const SqliteAppendWatch&) = delete;

 private:
  void Run();

  std::unique_ptr<EventStore> reader_;
  std::int64_t last_seq_;
  std::function<void(std::int64_t)> on_append_;
  std::chrono::milliseconds poll_;
  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread thread_;  // last: started once everything it reads is set
};

}  // namespace seam
