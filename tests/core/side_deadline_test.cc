// WaitBudget (core/side.h): how long a side that waits may wait, given its timeout and a
// caller's deadline. Real steady_clock; the margins are seconds, never figures.
#include "core/side.h"

#include <gtest/gtest.h>

namespace seam {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(WaitBudgetTest, NoDeadlineIsTheSidesTimeout) {
  const WaitBudget b = BudgetFor(2000ms, kNoDeadline);
  EXPECT_EQ(b.allowed, 2000ms);
  EXPECT_FALSE(b.cut);
  EXPECT_FALSE(b.Expired());
  EXPECT_FALSE(b.Overran());
}

TEST(WaitBudgetTest, ALaterDeadlineLeavesTheTimeout) {
  const WaitBudget b = BudgetFor(2000ms, Clock::now() + 60s);
  EXPECT_EQ(b.allowed, 2000ms);
  EXPECT_FALSE(b.cut);
}

TEST(WaitBudgetTest, AnEarlierDeadlineCutsTheWait) {
  const WaitBudget b = BudgetFor(60'000ms, Clock::now() + 30s);
  EXPECT_TRUE(b.cut);
  EXPECT_GT(b.allowed, 20s);
  EXPECT_LE(b.allowed, 30s);
  EXPECT_FALSE(b.Expired());
  EXPECT_FALSE(b.Overran()) << "not passed yet";
}

TEST(WaitBudgetTest, APassedDeadlineLeavesNothingAndAFailureIsItsDoing) {
  const WaitBudget b = BudgetFor(2000ms, Clock::now() - 1ms);
  EXPECT_TRUE(b.cut);
  EXPECT_EQ(b.allowed, 0ms);
  EXPECT_TRUE(b.Expired());
  EXPECT_TRUE(b.Overran());
  EXPECT_EQ(DeadlineReason(b), "no answer by the deadline (0 ms)");
}

// A side whose own timeout is 0 (sqlite-row's busy_timeout_ms = "0": never wait) is not cut.
TEST(WaitBudgetTest, AZeroTimeoutIsNotADeadlinesDoing) {
  const WaitBudget b = BudgetFor(0ms, Clock::now() + 60s);
  EXPECT_FALSE(b.cut);
  EXPECT_TRUE(b.Expired());
}

}  // namespace
}  // namespace seam
