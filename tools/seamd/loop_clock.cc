#include "tools/seamd/loop_clock.h"

#include <algorithm>
#include <atomic>

namespace seam::seamd {
namespace {

std::atomic<LoopClock::rep> g_offset{0};
std::atomic<bool> g_advanced{false};

}  // namespace

LoopClock::time_point LoopClock::now() noexcept {
  return time_point(std::chrono::steady_clock::now().time_since_epoch() + duration(g_offset.load()));
}

void LoopClock::Advance(duration by) {
  g_advanced = true;
  g_offset += by.count();
}

bool LoopClock::advanced() { return g_advanced.load(); }

LoopClock::duration LoopWaitTraits::to_wait_duration(const LoopClock::duration& d) {
  if (!LoopClock::advanced()) return d;
  return std::min<LoopClock::duration>(d, std::chrono::milliseconds(1));
}

LoopClock::duration LoopWaitTraits::to_wait_duration(const LoopClock::time_point& t) {
  return to_wait_duration(t - LoopClock::now());
}

}  // namespace seam::seamd
