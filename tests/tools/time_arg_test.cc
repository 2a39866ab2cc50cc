// The TIME of `seamctl audit --since/--until` (tools/common/time_arg.h): RFC 3339 in its forms,
// ages before now, and one-line errors naming the flag and the value.
#include "tools/common/time_arg.h"

#include <gtest/gtest.h>

#include <string>

#include "core/clock.h"

namespace seam {
namespace {

constexpr std::int64_t kNow = 1'795'950'000'000'000;  // 2026-11-29T11:00:00Z

std::string At(const std::string& value) {
  Result<std::int64_t> t = ParseTimeArg("--since", value, kNow);
  EXPECT_TRUE(t.ok()) << value << ": " << t.status().message();
  return t.ok() ? FormatTimeMicros(*t) : std::string();
}

TEST(TimeArgTest, ReadsRfc3339WithZoneAndFraction) {
  EXPECT_EQ(At("2026-11-29T09:11:50Z"), "2026-11-29T09:11:50.000000Z");
  EXPECT_EQ(At("2026-11-29T09:11:50.123456Z"), "2026-11-29T09:11:50.123456Z");
  EXPECT_EQ(At("2026-11-29T09:11:50.5Z"), "2026-11-29T09:11:50.500000Z");
  EXPECT_EQ(At("2026-11-29T09:11:50.123456789Z"), "2026-11-29T09:11:50.123456Z") << "nanoseconds are dropped";
  EXPECT_EQ(At("2026-11-29t09:11:50z"), "2026-11-29T09:11:50.000000Z");
  EXPECT_EQ(At("2026-11-29T10:11:50+01:00"), "2026-11-29T09:11:50.000000Z");
  EXPECT_EQ(At("2026-11-29T04:41:50.25-04:30"), "2026-11-29T09:11:50.250000Z");
  EXPECT_EQ(At("2026-11-30T00:30:00+01:00"), "2026-11-29T23:30:00.000000Z") << "crosses the date";
  EXPECT_EQ(At("2024-02-29T00:00:00Z"), "2024-02-29T00:00:00.000000Z");
}

TEST(TimeArgTest, ReadsAgesBeforeNow) {
  EXPECT_EQ(*ParseTimeArg("--since", "90s", kNow), kNow - 90'000'000);
  EXPECT_EQ(*ParseTimeArg("--since", "15m", kNow), kNow - 15 * 60'000'000LL);
  EXPECT_EQ(*ParseTimeArg("--since", "2h", kNow), kNow - 2 * 3'600'000'000LL);
  EXPECT_EQ(*ParseTimeArg("--until", "7d", kNow), kNow - 7 * 86'400'000'000LL);
  EXPECT_EQ(*ParseTimeArg("--until", "0s", kNow), kNow);
}

TEST(TimeArgTest, RefusesAnythingElseInOneLineNamingFlagAndValue) {
  for (const std::string bad :
       {"", "yesterday", "2h30m", "-2h", "+2h", "2", "h", "2w", "1.5h", "2026-11-29", "2026-11-29T09:11:50",
        "2026-11-29 09:11:50Z", "2026-02-30T00:00:00Z", "2026-11-29T24:00:00Z", "2026-11-29T09:11:50.Z",
        "2026-11-29T09:11:50+0100", "2026-11-29T09:11:50Z trailing", "99999999999999d", "3h\nrm -rf"}) {
    Result<std::int64_t> t = ParseTimeArg("--until", bad, kNow);
    ASSERT_FALSE(t.ok()) << "accepted `" << bad << "`";
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
    const std::string& m = t.status().message();
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    EXPECT_EQ(m.rfind("--until `", 0), 0u) << m;
    if (bad.find('\n') == std::string::npos) {
      EXPECT_NE(m.find("`" + bad + "`"), std::string::npos) << m;
    }
    EXPECT_NE(m.find("RFC 3339"), std::string::npos) << m;
  }
}

// The DURATION of `seamctl check --deadline`.
TEST(TimeArgTest, ReadsDurations) {
  using std::chrono::milliseconds;
  EXPECT_EQ(*ParseDurationArg("--deadline", "500ms"), milliseconds(500));
  EXPECT_EQ(*ParseDurationArg("--deadline", "5s"), milliseconds(5000));
  EXPECT_EQ(*ParseDurationArg("--deadline", "2m"), milliseconds(120'000));
  EXPECT_EQ(*ParseDurationArg("--deadline", "24h"), milliseconds(86'400'000));
  EXPECT_EQ(*ParseDurationArg("--deadline", "1ms"), milliseconds(1));
  for (const char* bad : {"", "5", "0s", "0ms", "-1s", "1d", "25h", "1.5s", "5 s", "s", "ms", "5sec", "99999999999999ms",
                          "5s\nrm -rf"}) {
    Result<std::chrono::milliseconds> d = ParseDurationArg("--deadline", bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(d.status().message().rfind("--deadline `", 0), 0u) << d.status().message();
    EXPECT_EQ(d.status().message().find('\n'), std::string::npos) << d.status().message();
  }
}

}  // namespace
}  // namespace seam
