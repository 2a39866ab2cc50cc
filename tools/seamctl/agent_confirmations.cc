#include "tools/seamctl/agent_confirmations.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "reconcilers/bookkeeping_events.h"

namespace seam::seamctl {
namespace {

using Steady = std::chrono::steady_clock;

// The side a confirmation of `version` or later names, or "".
std::string ConfirmedSide(const Event& e, std::int64_t version) {
  if (e.type == bookkeeping::kSideApplied) {
    Result<bookkeeping::SideApplied> p = bookkeeping::DecodeSideApplied(e.payload);
    if (p.ok() && p->version >= version) return p->side;
  } else if (e.type == bookkeeping::kSideRepaired) {
    Result<bookkeeping::SideRepaired> p = bookkeeping::DecodeSideRepaired(e.payload);
    if (p.ok() && p->version_written >= version) return p->side;
  }
  return "";
}

}  // namespace

Status AwaitConfirmations(EventStore& log, const std::string& stream, std::int64_t version, std::int64_t after_version,
                          std::chrono::milliseconds wait, std::vector<AwaitedSide>& sides) {
  const Steady::time_point start = Steady::now();
  const Steady::time_point deadline = start + wait;
  std::mutex mu;
  std::condition_variable woken;
  bool appended = false;
  // Without a watch (a store that cannot give one now) the reads every 200 ms still find them.
  Result<std::unique_ptr<AppendWatch>> watch = log.WatchAppends(0, [&](std::int64_t) {
    std::lock_guard<std::mutex> lock(mu);
    appended = true;
    woken.notify_all();
  });
  std::int64_t read_to = after_version;
  for (;;) {
    Status scanned = log.ScanStream(stream, read_to + 1, [&](const Event& e) {
      read_to = e.version;
      const std::string side = ConfirmedSide(e, version);
      for (AwaitedSide& s : sides) {
        if (!s.confirmed && s.side == side) {
          s.confirmed = true;
          s.seconds = std::chrono::duration<double>(Steady::now() - start).count();
        }
      }
      return Status::Ok();
    });
    if (!scanned.ok()) return scanned;
    if (std::all_of(sides.begin(), sides.end(), [](const AwaitedSide& s) { return s.confirmed; })) break;
    const Steady::time_point now = Steady::now();
    if (now >= deadline) break;
    std::unique_lock<std::mutex> lock(mu);
    woken.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds(200)), [&] { return appended; });
    appended = false;
  }
  if (watch.ok()) watch->reset();  // before the lambda's captures go
  return Status::Ok();
}

}  // namespace seam::seamctl
