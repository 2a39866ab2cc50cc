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
#include <string>

#include "core/status.h"
#include "core/store.h"

namespace seam::pg {

struct LeaseTiming {
  std::chrono::milliseconds lease{3000};  // how long a row stays held without a renewal
  std::chrono::milliseconds renew{500};   // how often the holder renews it
  std::chrono::milliseconds poll{50};     // how often a waiter tries again
};

// Waits up to `wait` for the lease on `stream`. Unavailable (exit 3, retryable) names the holder
// and when its lease ends; Unavailable/IoError naming the database when it cannot be reached.
Result<std::unique_ptr<WriterLock>> AcquireLease(const std::string& url, const std::string& password,
                                                 const std::string& stream, const std::string& actor,
                                                 std::chrono::milliseconds wait, const LeaseTiming& timing = {});

}  // namespace seam::pg
