#pragma once
// FlockWriterLock: the WriterLock (core/store.h) of a store on this host: serialises the writers
// of one stream across processes. Read-only work (check, log, verify) takes no lock.
//
// The lock is flock(2) on <state_dir>/locks/<kind>~<entity>.lock, so it is released by the kernel
// when the holder dies (SIGKILL included); the file holds the holder's actor, written only when
// it changes, and the message a waiting process gives when it times out adds the holder's pid
// from /proc/locks.

#include <chrono>
#include <filesystem>
#include <string>

#include <memory>

#include "core/status.h"
#include "core/store.h"

namespace seam {

class FlockWriterLock final : public WriterLock {
 public:
  // Waits up to `wait` for the lock. Unavailable (exit 3, retryable) names the holder when the
  // wait runs out; IoError when the lock file cannot be created.
  static Result<std::unique_ptr<WriterLock>> Acquire(const std::filesystem::path& state_dir, const std::string& stream,
                                                     const std::string& actor, std::chrono::milliseconds wait);

  FlockWriterLock(const FlockWriterLock&) = delete;
  FlockWriterLock& operator=(const FlockWriterLock&) = delete;
  ~FlockWriterLock() override;

 private:
  explicit FlockWriterLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace seam
