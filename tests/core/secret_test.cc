#include "core/secret.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace seam {
namespace {

TEST(SecretTest, RevealReturnsTheBytes) {
  const Secret s(std::string("tok\0en", 6));
  EXPECT_EQ(s.Reveal(), std::string_view("tok\0en", 6));
  EXPECT_EQ(s.size(), 6u);
  EXPECT_FALSE(s.empty());
  EXPECT_TRUE(Secret().empty());
}

TEST(SecretTest, EqualsComparesContentAndLength) {
  EXPECT_TRUE(Secret(std::string("abc")).Equals(Secret(std::string("abc"))));
  EXPECT_FALSE(Secret(std::string("abc")).Equals(Secret(std::string("abd"))));
  EXPECT_FALSE(Secret(std::string("abc")).Equals(Secret(std::string("abcd"))));
  EXPECT_FALSE(Secret(std::string("abc")).Equals(Secret()));
  EXPECT_TRUE(Secret().Equals(Secret()));
}

TEST(SecretTest, MoveConstructionLeavesTheSourceEmpty) {
  Secret a(std::string("a long secret value that is not in the small string buffer"));
  Secret b(std::move(a));
  EXPECT_EQ(b.Reveal(), "a long secret value that is not in the small string buffer");
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the contract under test
}

TEST(SecretTest, MoveAssignmentLeavesTheSourceEmpty) {
  Secret a(std::string("short"));
  Secret b(std::string("old"));
  b = std::move(a);
  EXPECT_EQ(b.Reveal(), "short");
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move)
}

TEST(SecretTest, CopiesAreIndependent) {
  Secret a(std::string("one"));
  Secret b(a);
  Secret c;
  c = a;
  a = Secret(std::string("two"));
  EXPECT_EQ(a.Reveal(), "two");
  EXPECT_EQ(b.Reveal(), "one");
  EXPECT_EQ(c.Reveal(), "one");
}

TEST(SecretTest, SelfAssignmentKeepsTheValue) {
  Secret a(std::string("same"));
  Secret& alias = a;
  a = alias;
  EXPECT_EQ(a.Reveal(), "same");
  a = std::move(alias);
  EXPECT_EQ(a.Reveal(), "same");
}

}  // namespace
}  // namespace seam
