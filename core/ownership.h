#pragma once
// Ownership leases: which agent owns a seam's stream right now, for seams that several hosts'
// agents share (README "Many hosts"). The owner observes and repairs the sides no agent is named
// for, and appends its records fenced by the lease's epoch (AppendFence, core/event_store.h).
//
// A lease is a row in the store, timed by the store's clock (never an agent's): held until
// `expires_at`, renewed by its holder, free to anyone once expired. Every change of holder, and
// every taking of an expired lease (by anyone, its last holder too), bumps the epoch: the fencing
// token an append carries. So an owner that was paused or cut off past its lease never appends
// again under the epoch it had, even when nobody took over meanwhile.
//
// Thread-compatible: one object is used from one thread at a time.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace seam {

struct OwnerLease {
  std::string stream;
  std::string agent;               // the holder, or the last holder when expired
  std::int64_t epoch = 0;          // 1 for the first holder, +1 at every taking
  std::int64_t expires_at_us = 0;  // by the store's clock
  std::int64_t store_now_us = 0;   // the store's clock when the row was read
  bool held() const { return expires_at_us > store_now_us; }
};

class OwnershipLeases {
 public:
  virtual ~OwnershipLeases() = default;

  // In one statement: every lease of `streams` that is free, expired or already `agent`'s becomes
  // `agent`'s until the store's now + `lease`; one taken (not renewed) gets epoch + 1. Returns the
  // leases of all `streams` afterwards, in stream order, whoever holds them; the caller's are
  // those with agent == `agent` and held().
  virtual Result<std::vector<OwnerLease>> Claim(const std::string& agent, const std::vector<std::string>& streams,
                                                std::chrono::milliseconds lease) = 0;

  // Ends `agent`'s leases on `streams` now (a clean shutdown), so another agent takes over at once
  // instead of after the lease. Leases held by others are untouched.
  virtual Status Release(const std::string& agent, const std::vector<std::string>& streams) = 0;

  // Every lease on record, in stream order.
  virtual Result<std::vector<OwnerLease>> List() = 0;
};

}  // namespace seam
