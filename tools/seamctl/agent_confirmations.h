#pragma once
// Waiting for the other agents' sides (README "Many hosts"): an operation run on one host writes
// that host's sides and the unnamed ones; the sides named for other agents are written by their
// seamd, which confirms each with SideApplied (or SideRepaired) in the log. seamctl waits for
// those records up to `--wait`, so a person learns whether the operation reached every host.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/event_store.h"
#include "core/status.h"

namespace seam::seamctl {

struct AwaitedSide {
  std::string side;
  std::string agent;       // whose seamd writes it
  bool confirmed = false;  // a SideApplied/SideRepaired of the operation's version or a later one
  double seconds = 0;      // from the start of the wait to the confirmation's being read
};

// Reads `stream` from `after_version` + 1 for confirmations of `version` or later of `sides`,
// until every one is confirmed or `wait` has passed (zero: one read). Woken by appends
// (EventStore::WatchAppends) and reading at least every 200 ms whatever the watch does. A store
// error ends the wait with that error; what was confirmed by then is marked.
Status AwaitConfirmations(EventStore& log, const std::string& stream, std::int64_t version, std::int64_t after_version,
                          std::chrono::milliseconds wait, std::vector<AwaitedSide>& sides);

}  // namespace seam::seamctl
