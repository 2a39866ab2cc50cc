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

TEST(ParseTimeMicrosTest, ReadsBackWhatFormatTimeMicrosWrites) {
  for (std::int64_t t : {std::int64_t{0}, std::int64_t{1}, std::int64_t{1'800'000'000'123'456}, std::int64_t{951'782'400'000'000}}) {
    EXPECT_EQ(ParseTimeMicros(FormatTimeMicros(t)), t) << FormatTimeMicros(t);
  }
}

TEST(ParseTimeMicrosTest, AcceptsOffsetsFractionsAndLowerCase) {
  const std::int64_t base = ParseTimeMicros("2026-11-29T09:11:50Z").value();
  EXPECT_EQ(ParseTimeMicros("2026-11-29T10:11:50+01:00"), base);
  EXPECT_EQ(ParseTimeMicros("2026-11-29T04:41:50-04:30"), base);
  EXPECT_EQ(ParseTimeMicros("2026-11-29t09:11:50z"), base);
  EXPECT_EQ(ParseTimeMicros("2026-11-29T09:11:50.5Z"), base + 500'000);
  EXPECT_EQ(ParseTimeMicros("2026-11-29T09:11:50.1234569Z"), base + 123'456);  // past micros: dropped
  EXPECT_EQ(ParseTimeMicros("2026-12-31T23:59:60Z"), ParseTimeMicros("2027-01-01T00:00:00Z"));  // leap second
}

TEST(ParseTimeMicrosTest, RefusesAnythingElse) {
  for (const char* bad : {"", "2026-11-29", "2026-11-29T09:11Z", "2026-02-30T00:00:00Z", "2026-11-29T24:00:00Z",
                          "2026-11-29T09:11:50", "2026-11-29T09:11:50.Z", "2026-11-29T09:11:50+0100",
                          "2026-11-29T09:11:50Z ", " 2026-11-29T09:11:50Z", "1764407510", "yesterday"}) {
    EXPECT_FALSE(ParseTimeMicros(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace seam
