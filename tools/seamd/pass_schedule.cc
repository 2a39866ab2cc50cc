#include "tools/seamd/pass_schedule.h"

#include <algorithm>
#include <cstdint>

namespace seam::seamd::pass_schedule {

Clock::time_point Retarget(Clock::time_point now, std::chrono::microseconds delay, Clock::time_point queued_since,
                           Clock::time_point armed) {
  if (delay.count() <= 0) return std::min(now, armed);
  const Clock::time_point target = std::min(now + delay, queued_since + kDebounceCap);
  return std::max(target, armed);
}

std::optional<milliseconds> NextWait(bool polled, milliseconds interval, int failures) {
  if (failures <= 0) return polled ? std::optional<milliseconds>(interval) : std::nullopt;
  const milliseconds base = polled ? interval : kFileRetryBase;
  // 2^20 times any base is past the cap already; the bound keeps the shift defined.
  const int doublings = std::min(failures, 20);
  return std::min<milliseconds>(base * (std::int64_t{1} << doublings), kBackoffCap);
}

milliseconds Jittered(milliseconds base, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> factor(0.9, 1.1);
  return milliseconds(static_cast<std::int64_t>(static_cast<double>(base.count()) * factor(rng)));
}

}  // namespace seam::seamd::pass_schedule
