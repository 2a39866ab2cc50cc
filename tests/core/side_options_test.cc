#include "core/side_options.h"

#include <gtest/gtest.h>

namespace seam {
namespace {

SideOptions MakeOptions() {
  SideOptions options("seam.toml", "/etc/seam", "device-token", "cli", 12);
  options.Set("path", {std::string("cli/paired.json"), 14});
  options.Set("abs", {std::string("/var/lib/x.json"), 15});
  options.Set("pointer", {std::string("/token"), 16});
  options.Set("retries", {std::int64_t{3}, 17});
  options.Set("empty", {std::string(""), 18});
  return options;
}

TEST(SideOptionsTest, WhereNamesFileLineSeamAndSide) {
  SideOptions options = MakeOptions();
  EXPECT_EQ(options.Where(), "seam.toml:12: seam `device-token` side `cli`");
  EXPECT_EQ(options.Where(16), "seam.toml:16: seam `device-token` side `cli`");
  EXPECT_EQ(options.seam(), "device-token");
  EXPECT_EQ(options.side(), "cli");
  EXPECT_EQ(options.base_dir(), "/etc/seam");
}

TEST(SideOptionsTest, TakeStringRemovesTheKey) {
  SideOptions options = MakeOptions();
  Result<std::optional<std::string>> pointer = options.TakeString("pointer", true);
  ASSERT_TRUE(pointer.ok()) << pointer.status().ToString();
  EXPECT_EQ(*pointer, "/token");
  Result<std::optional<std::string>> again = options.TakeString("pointer", false);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
}

TEST(SideOptionsTest, MissingRequiredKeyNamesTheTable) {
  SideOptions options = MakeOptions();
  Result<std::optional<std::string>> r = options.TakeString("url", true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "seam.toml:12: seam `device-token` side `cli`: missing required key `url`");
}

TEST(SideOptionsTest, PathWithAControlCharacterIsRefusedNamingItsLine) {
  SideOptions options("seam.toml", "/etc/seam", "device-token", "cli", 12);
  options.Set("path", {std::string("cli/paired.json\0.bak", 20), 14});
  Result<std::optional<std::filesystem::path>> r = options.TakePath("path", true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "seam.toml:14: seam `device-token` side `cli`: key `path` contains a control character");
}

TEST(SideOptionsTest, LineOfNamesAKeysLineBeforeAndAfterItIsTaken) {
  SideOptions options = MakeOptions();
  EXPECT_EQ(options.LineOf("pointer"), 16);
  ASSERT_TRUE(options.TakeString("pointer", true).ok());
  EXPECT_EQ(options.LineOf("pointer"), 16);
  EXPECT_EQ(options.LineOf("never-given"), 12);  // the table's line
}

TEST(SideOptionsTest, WrongTypeNamesTheKeysLine) {
  SideOptions options = MakeOptions();
  Result<std::optional<std::string>> r = options.TakeString("retries", true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "seam.toml:17: seam `device-token` side `cli`: key `retries` must be a string");
}

TEST(SideOptionsTest, TakePathResolvesRelativePathsAgainstTheConfigDirectory) {
  SideOptions options = MakeOptions();
  Result<std::optional<std::filesystem::path>> rel = options.TakePath("path", true);
  ASSERT_TRUE(rel.ok()) << rel.status().ToString();
  EXPECT_EQ(*rel, std::filesystem::path("/etc/seam/cli/paired.json"));
  Result<std::optional<std::filesystem::path>> abs = options.TakePath("abs", true);
  ASSERT_TRUE(abs.ok());
  EXPECT_EQ(*abs, std::filesystem::path("/var/lib/x.json"));
  Result<std::optional<std::filesystem::path>> absent = options.TakePath("nope", false);
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
}

TEST(SideOptionsTest, TakePathRefusesAnEmptyPath) {
  SideOptions options = MakeOptions();
  Result<std::optional<std::filesystem::path>> r = options.TakePath("empty", true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "seam.toml:18: seam `device-token` side `cli`: key `empty` is empty");
}

TEST(SideOptionsTest, TakeStringListTakesAListAndRefusesOtherTypesNamingTheLine) {
  SideOptions options = MakeOptions();
  options.Set("argv", {std::vector<std::string>{"/bin/prog", "--flag"}, 19});
  Result<std::optional<std::vector<std::string>>> argv = options.TakeStringList("argv", true);
  ASSERT_TRUE(argv.ok()) << argv.status().ToString();
  EXPECT_EQ(**argv, (std::vector<std::string>{"/bin/prog", "--flag"}));
  EXPECT_EQ(options.LineOf("argv"), 19);
  Result<std::optional<std::vector<std::string>>> absent = options.TakeStringList("argv", false);
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
  Result<std::optional<std::vector<std::string>>> missing = options.TakeStringList("argvv", true);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "seam.toml:12: seam `device-token` side `cli`: missing required key `argvv`");
  Result<std::optional<std::vector<std::string>>> wrong = options.TakeStringList("pointer", true);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().message(),
            "seam.toml:16: seam `device-token` side `cli`: key `pointer` must be a list of strings");
  EXPECT_TRUE(options.TakeString("pointer", false).ok());  // taken, even though refused
}

TEST(SideOptionsTest, RejectUnknownNamesALeftoverKeyAndItsLine) {
  SideOptions options("seam.toml", "/etc/seam", "device-token", "cli", 12);
  options.Set("pointr", {std::string("/token"), 13});
  Status s = options.RejectUnknown();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "seam.toml:13: seam `device-token` side `cli`: unknown key `pointr`");
  ASSERT_TRUE(options.TakeString("pointr", false).ok());
  EXPECT_TRUE(options.RejectUnknown().ok());
}

}  // namespace
}  // namespace seam
