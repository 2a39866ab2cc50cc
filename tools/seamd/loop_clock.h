#pragma once
// The clock of seamd's pass timers (tools/seamd/seam_runner.h): the steady clock, which a test
// may move forward (Advance) to run a runner's debounce, poll interval, jitter and back-off in
// simulated time, with its real passes, without waiting for them.
//
// Advance is for tests only: it moves every LoopClock of the process. Once it has been called
// (a test calls it, by 0, before arming any timer), timers wait at most 1 ms at a time, so the
// loop sees every jump within a millisecond.

#include <boost/asio/basic_waitable_timer.hpp>

#include <chrono>

namespace seam::seamd {

struct LoopClock {
  using duration = std::chrono::steady_clock::duration;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<LoopClock>;
  static constexpr bool is_steady = true;

  static time_point now() noexcept;
  // Tests: now() runs `by` ahead from here on.
  static void Advance(duration by);
  static bool advanced();
};

struct LoopWaitTraits {
  static LoopClock::duration to_wait_duration(const LoopClock::duration& d);
  static LoopClock::duration to_wait_duration(const LoopClock::time_point& t);
};

using LoopTimer = boost::asio::basic_waitable_timer<LoopClock, LoopWaitTraits>;

}  // namespace seam::seamd
