#include "core/clock.h"

#include <gtest/gtest.h>

namespace seam {
namespace {

TEST(FormatTimeMicrosTest, EpochIsMidnightJanuaryFirst1970) {
  EXPECT_EQ(FormatTimeMicros(0), "1970-01-01T00:00:00.000000Z");
}

TEST(FormatTimeMicrosTest, KnownInstantWithMicroseconds) {
  // 2026-11-26T18:43:07Z is 1795718587 seconds after the epoch.
  EXPECT_EQ(FormatTimeMicros(1795718587123456), "2026-11-26T18:43:07.123456Z");
  EXPECT_EQ(FormatTimeMicros(1), "1970-01-01T00:00:00.000001Z");
  EXPECT_EQ(FormatTimeMicros(951782400000000), "2000-02-29T00:00:00.000000Z");  // leap day
}

TEST(FormatTimeMicrosTest, NegativeTimesFloorToTheSecondBefore) {
  EXPECT_EQ(FormatTimeMicros(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatTimeMicros(-1000000), "1969-12-31T23:59:59.000000Z");
  EXPECT_EQ(FormatTimeMicros(-1500000), "1969-12-31T23:59:58.500000Z");
}

TEST(FakeClockTest, StartsWhereToldAndMovesOnlyWhenAdvanced) {
  FakeClock clock(1000);
  EXPECT_EQ(clock.NowMicros(), 1000);
  EXPECT_EQ(clock.NowMicros(), 1000);
  clock.Advance(250);
  EXPECT_EQ(clock.NowMicros(), 1250);
  clock.Set(5);
  EXPECT_EQ(clock.NowMicros(), 5);
}

TEST(SystemClockTest, ReadsMicrosecondsSinceTheEpoch) {
  EXPECT_GT(SystemClock().NowMicros(), 1704067200000000);  // 2024-01-01, in microseconds
}

}  // namespace
}  // namespace seam
