// seamd's pass timing (tools/seamd/pass_schedule.h) in simulated time: a burst of file events,
// an immediate request, polling, back-off and jitter, with no real wait.
#include "tools/seamd/pass_schedule.h"

#include <gtest/gtest.h>

#include <set>

namespace seam::seamd::pass_schedule {
namespace {

using std::chrono::microseconds;

const Clock::time_point kT0 = Clock::time_point() + std::chrono::hours(1);

TEST(PassScheduleTest, ABurstOfFileEventsPushesThePassBackButNotPastTheCap) {
  // The first event at T0 queues the pass for T0+1 ms; the next ones, 0.5 ms apart, push it back.
  Clock::time_point armed = kT0 + microseconds(1000);
  for (int i = 1; i <= 20; ++i) {
    const Clock::time_point now = kT0 + microseconds(500 * i);
    const Clock::time_point next = Retarget(now, microseconds(1000), kT0, armed);
    EXPECT_GE(next, armed) << "event " << i;
    EXPECT_LE(next, kT0 + kDebounceCap) << "event " << i;
    armed = next;
  }
  // An editor that never stops writing still gets its pass at T0 + 5 ms.
  EXPECT_EQ(armed, kT0 + kDebounceCap);
}

TEST(PassScheduleTest, AnImmediateRequestPullsThePassInAndNeverPushesItBack) {
  const Clock::time_point armed = kT0 + microseconds(4000);
  EXPECT_EQ(Retarget(kT0 + microseconds(100), microseconds(0), kT0, armed), kT0 + microseconds(100));
  // Already due sooner than now: left where it is.
  EXPECT_EQ(Retarget(kT0 + microseconds(5000), microseconds(0), kT0, armed), armed);
}

TEST(PassScheduleTest, ADebouncedRequestOnlyEverPushesThePassBack) {
  const Clock::time_point armed = kT0 + microseconds(100);  // an immediate pass is queued
  EXPECT_EQ(Retarget(kT0 + microseconds(50), microseconds(1000), kT0, armed), kT0 + microseconds(1050));
  const Clock::time_point soon = kT0 + microseconds(4900);
  EXPECT_EQ(Retarget(kT0, microseconds(10), kT0, soon), soon);
}

TEST(PassScheduleTest, PolledSeamsWaitTheirIntervalFileSeamsWaitForEvents) {
  EXPECT_EQ(NextWait(/*polled=*/true, milliseconds(15000), 0), milliseconds(15000));
  EXPECT_FALSE(NextWait(/*polled=*/false, milliseconds(15000), 0).has_value());
}

TEST(PassScheduleTest, FailuresBackOffByDoublingUpToFiveMinutes) {
  EXPECT_EQ(NextWait(true, milliseconds(1000), 1), milliseconds(2000));
  EXPECT_EQ(NextWait(true, milliseconds(1000), 3), milliseconds(8000));
  EXPECT_EQ(NextWait(true, milliseconds(1000), 9), kBackoffCap);
  EXPECT_EQ(NextWait(true, milliseconds(1000), 1'000'000), kBackoffCap);
  // File-only seams retry too, from a base of one second.
  EXPECT_EQ(NextWait(false, milliseconds(15000), 1), 2 * kFileRetryBase);
  EXPECT_EQ(NextWait(false, milliseconds(15000), 30), kBackoffCap);
  // The first success returns to the interval.
  EXPECT_EQ(NextWait(true, milliseconds(1000), 0), milliseconds(1000));
}

TEST(PassScheduleTest, JitterStaysWithinTenPercentAndSpreadsSeamsApart) {
  std::mt19937_64 rng(7);
  std::set<std::int64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const milliseconds wait = Jittered(milliseconds(15000), rng);
    EXPECT_GE(wait, milliseconds(13500));
    EXPECT_LE(wait, milliseconds(16500));
    seen.insert(wait.count());
  }
  EXPECT_GT(seen.size(), 500u);  // not in step
}

}  // namespace
}  // namespace seam::seamd::pass_schedule
