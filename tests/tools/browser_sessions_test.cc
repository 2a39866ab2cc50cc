// seamd's browser sessions (tools/seamd/browser_sessions.h): the login form's token decoded or
// refused, cookies that open a session until it ends, a bounded book. The listener's use of them
// over HTTP: tests/e2e/e2e_seamd_status_test.cc (ABrowserLogsInOnceBehindTheConfigsTokenFile).
#include "tools/seamd/browser_sessions.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace seam::seamd {
namespace {

TEST(FormToken, DecodesTheTokenField) {
  EXPECT_EQ(FormToken("token=abc"), "abc");
  EXPECT_EQ(FormToken("x=1&token=a%2Bb%2f%3D+c&y=2"), "a+b/= c");
  EXPECT_EQ(FormToken("token="), "");
  EXPECT_EQ(FormToken(""), std::nullopt);
  EXPECT_EQ(FormToken("tokens=abc"), std::nullopt);
  for (const char* bad : {"token=%", "token=%2", "token=%G1", "token=ab%zz"}) EXPECT_EQ(FormToken(bad), std::nullopt) << bad;
}

TEST(BrowserSessions, ACookieOpensItsSessionUntilItEnds) {
  BrowserSessions sessions;
  const auto t0 = BrowserSessions::Clock::now();
  Result<std::string> cookie = sessions.Open(t0);
  ASSERT_TRUE(cookie.ok());
  EXPECT_EQ(cookie->size(), 64u);
  const std::string header = "a=b; seamd_session=" + *cookie + "; c=d";
  EXPECT_TRUE(sessions.Valid(header, t0));
  EXPECT_TRUE(sessions.Valid(header, t0 + BrowserSessions::kLifetime - std::chrono::seconds(1)));
  EXPECT_FALSE(sessions.Valid(header, t0 + BrowserSessions::kLifetime));
  EXPECT_FALSE(sessions.Valid("seamd_session=" + std::string(64, '0'), t0));
  EXPECT_FALSE(sessions.Valid("other=" + *cookie, t0)) << "only the session cookie counts";
  EXPECT_FALSE(sessions.Valid("", t0));
}

TEST(BrowserSessions, TheBookKeepsAtMostKMaxAndDropsTheOneEndingFirst) {
  BrowserSessions sessions;
  const auto t0 = BrowserSessions::Clock::now();
  std::vector<std::string> cookies;
  std::set<std::string> distinct;
  for (std::size_t i = 0; i <= BrowserSessions::kMax; ++i) {
    Result<std::string> c = sessions.Open(t0 + std::chrono::seconds(static_cast<int>(i)));
    ASSERT_TRUE(c.ok());
    cookies.push_back(*c);
    distinct.insert(*c);
  }
  EXPECT_EQ(distinct.size(), cookies.size()) << "every cookie is new";
  EXPECT_FALSE(sessions.Valid("seamd_session=" + cookies.front(), t0)) << "the oldest made room";
  for (std::size_t i = 1; i < cookies.size(); ++i) EXPECT_TRUE(sessions.Valid("seamd_session=" + cookies[i], t0)) << i;
}

}  // namespace
}  // namespace seam::seamd
