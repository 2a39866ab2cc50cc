#include "plugins/common/wipe.h"

#include <gtest/gtest.h>

#include <string>

namespace seam {
namespace {

TEST(WipeTest, WipeStringEmptiesTheStringAndKeepsItsBuffer) {
  std::string s(100, 's');
  const char* before = s.data();
  WipeString(s);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.data(), before);  // wiped in place, not reallocated
  // The bytes that held the secret are zeros now (still `s`'s buffer, so readable).
  EXPECT_EQ(std::string(before, 100), std::string(100, '\0'));
}

TEST(WipeTest, ResizeWipingGrowsKeepingTheContent) {
  std::string s = "abc";
  s.shrink_to_fit();
  ResizeWiping(s, 1000);
  EXPECT_EQ(s.size(), 1000u);
  EXPECT_EQ(s.substr(0, 3), "abc");
  ResizeWiping(s, 2);
  EXPECT_EQ(s, "ab");
}

TEST(WipeTest, AppendWipingAppends) {
  std::string s = "secret-json";
  s.shrink_to_fit();
  AppendWiping(s, "\n");
  EXPECT_EQ(s, "secret-json\n");
  for (int i = 0; i < 100; ++i) AppendWiping(s, "x");
  EXPECT_EQ(s.size(), 112u);
}

}  // namespace
}  // namespace seam
