#pragma once
// PgLeaseLock: the WriterLock (core/store.h) of the PostgreSQL store, across hosts: a row in
// seam_locks per locked stream, with a lease that expires by the database's clock and is renewed
// by a thread of the holder's while it works.
//
// Why a lease row and not a session advisory lock: an advisory lock lives as long as the
// holder's session, and the session of a host cut off by a partition lives until the server's
// TCP gives up (hours). A lease ends `lease` after the holder last renewed it, whatever happened
// to the holder (SIGKILL, SIGSTOP, a dead network). The price: a holder that cannot renew for
// `lease` (paused, partitioned) loses the lock while it may still be working; the log's
// expected-version check still refuses its append (Conflict), so the log stays right.
//
// Thread-safety: Acquire from any thread; the lock renews on a thread of its own and releases
// (deletes its row) when destroyed.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/store.h"

namespace seam::pg {

class Connection;

// Idle connections for leases, shared by a store and the locks it handed out: seamd takes a
// lock for every pass, and a connection made per lock would be a TCP (and TLS) handshake per pass.
// Thread-safe.
class LeaseConnections {
 public:
  LeaseConnections(std::string url, std::string password);
  ~LeaseConnections();
  // An idle connection, or a new one.
  Result<std::unique_ptr<Connection>> Take();
  // Back for the next lock (kept while fewer than kIdle are idle; a broken one is made again by
  // its next call).
  void Give(std::unique_ptr<Connection> conn);
  const std::string& url() const { return url_; }

 private:
  static constexpr std::size_t kIdle = 8;
  const std::string url_;
  const std::string password_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

struct LeaseTiming {
  std::chrono::milliseconds lease{3000};  // how long a row stays held without a renewal
  std::chrono::milliseconds renew{500};   // how often the holder renews it
  std::chrono::milliseconds poll{50};     // how often a waiter tries again
};

// Waits up to `wait` for the lease on `stream`. Unavailable (exit 3, retryable) names the holder
// and when its lease ends; Unavailable/IoError naming the database when it cannot be reached.
Result<std::unique_ptr<WriterLock>> AcquireLease(std::shared_ptr<LeaseConnections> connections,
                                                 const std::string& stream, const std::string& actor,
                                                 std::chrono::milliseconds wait, const LeaseTiming& timing = {});

}  // namespace seam::pg
