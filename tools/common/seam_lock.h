#pragma once
// SeamLock: serialises the writers of one seam across processes.
//
// An operation (issue, rotate, revoke, adopt) or a repair pass holds its seam's lock from the
// replay of the log to the last side write. Without it, two writers interleave replay, observe
// and write: each judges the other's fresh value "foreign" and a side ends on a stale value.
// The EventStore's expected-version check alone only serialises the appends, not the writes to
// the sides. Read-only work (check, log, verify) takes no lock.
//
// The lock is flock(2) on <state_dir>/locks/<kind>~<entity>.lock, so it is released by the kernel
// when the holder dies (SIGKILL included); the file holds the holder's actor and pid, for the
// message a waiting process gives when it times out.

#include <chrono>
#include <filesystem>
#include <string>

#include "core/status.h"

namespace seam {

class SeamLock {
 public:
  // Waits up to `wait` for the lock. Unavailable (exit 3, retryable) names the holder when the
  // wait runs out; IoError when the lock file cannot be created.
  static Result<SeamLock> Acquire(const std::filesystem::path& state_dir, const std::string& stream,
                                  const std::string& actor, std::chrono::milliseconds wait);

  SeamLock(SeamLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  SeamLock& operator=(SeamLock&&) = delete;
  SeamLock(const SeamLock&) = delete;
  SeamLock& operator=(const SeamLock&) = delete;
  ~SeamLock();

 private:
  explicit SeamLock(int fd) : fd_(fd) {}
  int fd_;
};

// How long seamctl waits for a seam's lock: $SEAM_LOCK_WAIT_MS, else 10 s. Operations take
// milliseconds, so a longer wait means a stuck or very slow holder.
std::chrono::milliseconds DefaultLockWait();

}  // namespace seam
