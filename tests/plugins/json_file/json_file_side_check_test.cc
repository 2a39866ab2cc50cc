// json-file: CheckWritable refuses what Write/Remove would refuse, and never writes.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>

#include "plugins/json_file/json_file_side.h"
#include "tests/plugins/common/unprivileged.h"
#include "tests/support/temp_dir.h"

namespace seam {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

constexpr char kSecret[] = "s3cret-token-value";

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

class JsonFileSideCheckTest : public ::testing::Test {
 protected:
  std::unique_ptr<Side> Make(const std::string& pointer, const std::string& path = "paired.json") {
    SideOptions o("seam.toml", dir_.path(), "device-token", "cli", 10);
    o.Set("path", OptionValue{path, 11});
    o.Set("pointer", OptionValue{pointer, 12});
    auto side = MakeJsonFileSide(o);
    EXPECT_TRUE(side.ok()) << side.status().ToString();
    return side.ok() ? std::move(side).value() : nullptr;
  }
  // CheckWritable on paired.json holding `content`, asserting it refused and wrote nothing.
  std::string RefusalFor(const std::string& content, const std::string& pointer) {
    WriteFile(dir_ / "paired.json", content);
    Status s = Make(pointer)->CheckWritable();
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
    EXPECT_FALSE(Contains(s.message(), kSecret)) << s.message();
    EXPECT_EQ(ReadFile(dir_ / "paired.json"), content);
    EXPECT_EQ(Names(), std::set<std::string>{"paired.json"});
    return s.message();
  }
  std::string File() const { return (dir_ / "paired.json").string(); }
  std::set<std::string> Names() const {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_.path())) out.insert(e.path().filename().string());
    return out;
  }

  TempDir dir_;
};

TEST_F(JsonFileSideCheckTest, MissingFileInAnExistingDirectoryIsWritableAndNothingIsCreated) {
  Status s = Make("/devices/d/token")->CheckWritable();
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(Names().empty());
}

TEST_F(JsonFileSideCheckTest, ValidFileIsWritableAndLeftUntouched) {
  const std::string content = R"({"token": "s3cret-token-value", "other": [1]})";
  WriteFile(dir_ / "paired.json", content);
  struct stat before {};
  ASSERT_EQ(::stat(File().c_str(), &before), 0);

  Status s = Make("/token")->CheckWritable();

  EXPECT_TRUE(s.ok()) << s.ToString();
  struct stat after {};
  ASSERT_EQ(::stat(File().c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  EXPECT_EQ(ReadFile(dir_ / "paired.json"), content);
  EXPECT_EQ(Names(), std::set<std::string>{"paired.json"});
}

TEST_F(JsonFileSideCheckTest, NullOrMissingMemberAndMissingIntermediateObjectsAreWritable) {
  WriteFile(dir_ / "paired.json", R"({"token": null, "devices": {}})");
  EXPECT_TRUE(Make("/token")->CheckWritable().ok());
  EXPECT_TRUE(Make("/absent")->CheckWritable().ok());
  EXPECT_TRUE(Make("/devices/d/token")->CheckWritable().ok());
}

TEST_F(JsonFileSideCheckTest, MissingDirectoryIsRefusedNamingIt) {
  Status s = Make("/token", "nope/paired.json")->CheckWritable();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), (dir_ / "nope/paired.json").string() + ": directory " +
                             (dir_ / "nope").string() + " does not exist");
  EXPECT_FALSE(fs::exists(dir_ / "nope"));
}

TEST_F(JsonFileSideCheckTest, DirectoryThatIsAFileIsRefused) {
  WriteFile(dir_ / "cli", "not a directory");
  Status s = Make("/token", "cli/paired.json")->CheckWritable();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), (dir_ / "cli/paired.json").string() + ": " + (dir_ / "cli").string() +
                             " is not a directory");
}

TEST_F(JsonFileSideCheckTest, UnwritableDirectoryIsRefused) {
  fs::permissions(dir_.path(), static_cast<fs::perms>(0755));
  fs::create_directory(dir_ / "ro");
  WriteFile(dir_ / "ro/paired.json", R"({"token": "t"})");
  fs::permissions(dir_ / "ro", static_cast<fs::perms>(0555));
  auto side = Make("/token", "ro/paired.json");

  Status s = testing::RunUnprivileged([&] { return side->CheckWritable(); });

  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_EQ(s.message(), (dir_ / "ro/paired.json").string() + ": directory " +
                             (dir_ / "ro").string() + " is not writable: Permission denied");
}

TEST_F(JsonFileSideCheckTest, TargetThatIsADirectoryIsRefused) {
  fs::create_directory(dir_ / "paired.json");
  Status s = Make("/token")->CheckWritable();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), File() + " is a directory");
}

TEST_F(JsonFileSideCheckTest, TargetThatIsAFifoIsRefusedWithoutBlocking) {
  ASSERT_EQ(::mkfifo(File().c_str(), 0600), 0);
  Status s = Make("/token")->CheckWritable();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), File() + " is not a regular file");
}

TEST_F(JsonFileSideCheckTest, InvalidJsonIsRefused) {
  EXPECT_EQ(RefusalFor("{\"token\": \"s3cret-token-value\",\n", "/token"),
            File() + ": invalid JSON at line 2, column 1");
}

TEST_F(JsonFileSideCheckTest, EmptyFileIsRefused) {
  EXPECT_EQ(RefusalFor("", "/token"), File() + " is empty, not JSON");
}

TEST_F(JsonFileSideCheckTest, DuplicateKeyIsRefused) {
  EXPECT_EQ(RefusalFor(R"({"token": "s3cret-token-value", "token": "b"})", "/token"),
            File() + ": duplicate key \"token\" at line 1, column 33");
}

TEST_F(JsonFileSideCheckTest, PointerThroughANonObjectIsRefused) {
  EXPECT_EQ(RefusalFor(R"({"devices": ["s3cret-token-value"]})", "/devices/d/token"),
            File() + ": /devices/d/token: /devices is an array, not an object");
  EXPECT_EQ(RefusalFor(R"("s3cret-token-value")", "/token"),
            File() + ": /token: the document is a string, not an object");
}

TEST_F(JsonFileSideCheckTest, NonStringValueAtThePointerIsRefused) {
  EXPECT_EQ(RefusalFor(R"({"token": {"v": "s3cret-token-value"}})", "/token"),
            File() + ": value at /token is an object, not a string");
}

TEST_F(JsonFileSideCheckTest, FileOver16MiBIsRefused) {
  WriteFile(dir_ / "paired.json", "");
  fs::resize_file(dir_ / "paired.json", 20971520);
  Status s = Make("/token")->CheckWritable();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), File() + " is 20971520 bytes, over the 16 MiB limit");
}

TEST_F(JsonFileSideCheckTest, UnreadableFileIsRefusedAsFailedPrecondition) {
  fs::permissions(dir_.path(), static_cast<fs::perms>(0777));
  WriteFile(dir_ / "paired.json", R"({"token": "s3cret-token-value"})");
  fs::permissions(dir_ / "paired.json", fs::perms::none);
  // Owned by us (not root) so that only the read fails: make it the child's when we are root.
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(File().c_str(), testing::kNobody, testing::kNobody), 0);
  }
  auto side = Make("/token");

  Status s = testing::RunUnprivileged([&] { return side->CheckWritable(); });

  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_EQ(s.message(), File() + ": Permission denied");
}

TEST_F(JsonFileSideCheckTest, EveryMappedPointerOfAPairingIsChecked) {
  SideOptions o("seam.toml", dir_.path(), "device-42", "cli", 10);
  o.SetKind(KindFields{"pairing", {"device_id", "token", "gateway_url", "paired_at"}, "token"});
  o.Set("path", OptionValue{std::string("paired.json"), 11});
  o.Set("pointer", OptionValue{std::string("/token"), 12});
  o.Set("fields", OptionValue{StringTable{{"device_id", "/device/id", 14}}, 13});
  auto side = MakeJsonFileSide(o);
  ASSERT_TRUE(side.ok()) << side.status().ToString();

  WriteFile(dir_ / "paired.json", R"({"token": "s3cret-token-value", "device": {}})");
  EXPECT_TRUE((*side)->CheckWritable().ok());
  WriteFile(dir_ / "paired.json", R"({"token": "s3cret-token-value", "device": "d"})");
  Status s = (*side)->CheckWritable();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), File() + ": /device/id: /device is a string, not an object");
}

}  // namespace
}  // namespace seam
