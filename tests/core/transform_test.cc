#include "core/transform.h"

#include <gtest/gtest.h>

namespace seam {
namespace {

TEST(TransformTest, ParsesTheTwoKnownNames) {
  EXPECT_EQ(ParseTransform("plain"), Transform::kPlain);
  EXPECT_EQ(ParseTransform("sha256-hex"), Transform::kSha256Hex);
  EXPECT_EQ(ParseTransform("SHA256-HEX"), std::nullopt);
  EXPECT_EQ(ParseTransform(""), std::nullopt);
  EXPECT_STREQ(TransformName(Transform::kPlain), "plain");
  EXPECT_STREQ(TransformName(Transform::kSha256Hex), "sha256-hex");
}

TEST(TransformTest, OnlyPlainIsReversible) {
  EXPECT_TRUE(TransformIsReversible(Transform::kPlain));
  EXPECT_FALSE(TransformIsReversible(Transform::kSha256Hex));
}

TEST(TransformTest, PlainStoresTheValueAsIs) {
  EXPECT_EQ(ApplyTransform(Transform::kPlain, Secret(std::string("abc"))).Reveal(), "abc");
}

TEST(TransformTest, Sha256HexStoresTheLowerCaseHexDigest) {
  EXPECT_EQ(ApplyTransform(Transform::kSha256Hex, Secret(std::string("abc"))).Reveal(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ApplyTransform(Transform::kSha256Hex, Secret()).Reveal(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace seam
