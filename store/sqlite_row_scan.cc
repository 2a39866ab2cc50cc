#include "store/sqlite_row_scan.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "core/hash_chain.h"
#include "store/sqlite_rows.h"

namespace seam::sqlite_internal {
namespace {

constexpr std::size_t kBatch = 4096;

// One batch of rows. The slots grow as rows arrive and are then reused batch after batch:
// a replay of a short stream (one seam's few events, a thousand times in one check pass) must
// not construct a whole batch of empty events.
struct Batch {
  std::vector<Event> rows;
  std::vector<char> well_formed;
  std::vector<Hash> computed;
  std::size_t size = 0;
  // Hashing is shared: the reader claims rows from the front one at a time and publishes how
  // many it has finished; the visitor claims all the rest at once (ClaimRest).
  std::atomic<std::size_t> next_claim{0};
  std::atomic<std::size_t> hashed{0};

  bool last() const { return size < kBatch; }  // a short batch ends the scan

  // Reads up to kBatch rows; *rc is the last sqlite3_step result.
  void Read(sqlite3_stmt* s, int* rc) {
    size = 0;
    next_claim.store(0, std::memory_order_relaxed);
    hashed.store(0, std::memory_order_relaxed);
    while (size < kBatch && *rc == SQLITE_ROW && (*rc = sqlite3_step(s)) == SQLITE_ROW) {
      if (size == rows.size()) {
        rows.emplace_back();
        well_formed.push_back(0);
        computed.emplace_back();
      }
      well_formed[size] = ReadRow(s, &rows[size]) ? 1 : 0;
      ++size;
    }
  }

  // Reader: hashes rows from the front until the visitor has claimed the rest.
  void HashClaimed() {
    for (;;) {
      const std::size_t i = next_claim.fetch_add(1, std::memory_order_relaxed);
      if (i >= size) return;
      computed[i] = ComputeEventHash(rows[i]);
      hashed.store(i + 1, std::memory_order_release);
    }
  }

  // Visitor: claims every row the reader has not, waits for the one it may be hashing, and
  // returns the first row left to hash.
  std::size_t ClaimRest() {
    const std::size_t start = std::min(next_claim.exchange(size, std::memory_order_relaxed), size);
    while (hashed.load(std::memory_order_acquire) < start) std::this_thread::yield();
    return start;
  }

  Status Visit(const std::function<Status(const HashedRow&)>& each) {
    const std::size_t start = ClaimRest();
    for (std::size_t i = 0; i < size; ++i) {
      if (i >= start) computed[i] = ComputeEventHash(rows[i]);
      SEAM_RETURN_IF_ERROR(each(HashedRow{rows[i], well_formed[i] != 0, computed[i]}));
    }
    return Status::Ok();
  }
};

// Who holds each of the two batches: the reader fills a free one, the visitor empties a full one.
class Handoff {
 public:
  // Reader: waits until batch i may be overwritten; false when the visitor stopped the scan.
  bool AwaitFree(int i) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return stop_ || !full_[i]; });
    return !stop_;
  }
  void PublishFull(int i) { Set(i, true); }
  void AwaitFull(int i) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return full_[i]; });
  }
  void Release(int i) { Set(i, false); }
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
  }

 private:
  void Set(int i, bool full) {
    {
      std::lock_guard lock(mu_);
      full_[i] = full;
    }
    cv_.notify_all();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool full_[2] = {false, false};
  bool stop_ = false;
};

}  // namespace

Status ScanHashedRows(sqlite3_stmt* s, const std::function<Status(const HashedRow&)>& each, int* rc) {
  Batch batches[2];
  *rc = SQLITE_ROW;
  batches[0].Read(s, rc);
  if (batches[0].last()) return batches[0].Visit(each);

  Handoff handoff;
  handoff.PublishFull(0);
  int reader_rc = *rc;
  std::thread reader([&] {
    for (int i = 1;; i = 1 - i) {
      if (!handoff.AwaitFree(i)) return;
      Batch& b = batches[i];
      b.Read(s, &reader_rc);
      handoff.PublishFull(i);
      b.HashClaimed();
      if (b.last()) return;
    }
  });
  // However the visit ends (an error, an exception), the reader stops before the batches go.
  struct StopReader {
    Handoff& handoff;
    std::thread& reader;
    ~StopReader() {
      handoff.Stop();
      reader.join();
    }
  };
  Status visited = Status::Ok();
  {
    StopReader stop{handoff, reader};
    for (int i = 0;; i = 1 - i) {
      handoff.AwaitFull(i);
      visited = batches[i].Visit(each);
      if (!visited.ok() || batches[i].last()) break;
      handoff.Release(i);
    }
  }
  *rc = reader_rc;
  return visited;
}

}  // namespace seam::sqlite_internal
