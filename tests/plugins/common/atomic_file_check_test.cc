// CheckReplaceable: what WriteFileAtomically needs, checked without writing anything.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>

#include "plugins/common/atomic_file.h"
#include "tests/plugins/common/unprivileged.h"
#include "tests/support/temp_dir.h"

namespace seam {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::EntryNames;
using testing::TempDir;
using testing::WriteFile;

TEST(CheckReplaceableTest, AbsentTargetInAnExistingDirectoryIsOkAndNothingIsCreated) {
  TempDir dir;
  Status s = CheckReplaceable(dir / "f");
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(EntryNames(dir.path()).empty());
}

TEST(CheckReplaceableTest, ExistingRegularFileIsOkAndUntouched) {
  TempDir dir;
  WriteFile(dir / "f", "old");
  struct stat before {};
  ASSERT_EQ(::stat((dir / "f").c_str(), &before), 0);

  EXPECT_TRUE(CheckReplaceable(dir / "f").ok());

  struct stat after {};
  ASSERT_EQ(::stat((dir / "f").c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  EXPECT_EQ(ReadFile(dir / "f"), "old");
  EXPECT_EQ(EntryNames(dir.path()), std::set<std::string>{"f"});
}

TEST(CheckReplaceableTest, MissingDirectoryIsFailedPreconditionNamingIt) {
  TempDir dir;
  Status s = CheckReplaceable(dir / "nope" / "f");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), (dir / "nope" / "f").string() + ": directory " + (dir / "nope").string() +
                             " does not exist");
  EXPECT_FALSE(fs::exists(dir / "nope"));
}

TEST(CheckReplaceableTest, DirectoryThatIsAFileIsRefused) {
  TempDir dir;
  WriteFile(dir / "plain", "x");
  Status s = CheckReplaceable(dir / "plain" / "f");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), (dir / "plain" / "f").string() + ": " + (dir / "plain").string() +
                             " is not a directory");
}

TEST(CheckReplaceableTest, TargetThatIsADirectoryIsRefused) {
  TempDir dir;
  fs::create_directory(dir / "d");
  Status s = CheckReplaceable(dir / "d");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), (dir / "d").string() + " is a directory");
}

TEST(CheckReplaceableTest, TargetThatIsAFifoIsRefusedWithoutBlocking) {
  TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "p").c_str(), 0600), 0);
  Status s = CheckReplaceable(dir / "p");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), (dir / "p").string() + " is not a regular file");
}

TEST(CheckReplaceableTest, SymlinkIsCheckedAtTheFileItPointsTo) {
  TempDir dir;
  fs::create_directory(dir / "real");
  fs::create_symlink("real/f", dir / "link");
  EXPECT_TRUE(CheckReplaceable(dir / "link").ok());  // dangling: the write creates real/f

  fs::create_symlink("gone/f", dir / "dangling");
  Status s = CheckReplaceable(dir / "dangling");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), (dir / "dangling").string() + ": directory " + (dir / "gone").string() +
                             " does not exist");
}

TEST(CheckReplaceableTest, UnwritableDirectoryIsRefusedWithStrerror) {
  TempDir dir;
  fs::permissions(dir.path(), static_cast<fs::perms>(0755));
  fs::create_directory(dir / "ro");
  fs::permissions(dir / "ro", static_cast<fs::perms>(0555));

  Status s = testing::RunUnprivileged([&] { return CheckReplaceable(dir / "ro" / "f"); });

  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_EQ(s.message(), (dir / "ro" / "f").string() + ": directory " + (dir / "ro").string() +
                             " is not writable: Permission denied");
}

TEST(CheckReplaceableTest, FileOwnedByAnotherUserIsRefusedForNonRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to make a file owned by another user";
  TempDir dir;
  fs::permissions(dir.path(), static_cast<fs::perms>(0777));  // writable by the child
  WriteFile(dir / "f", "x");  // owned by root

  Status s = testing::RunUnprivileged([&] { return CheckReplaceable(dir / "f"); });

  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_EQ(s.message(), (dir / "f").string() + ": owned by uid 0, cannot keep its owner");
}

}  // namespace
}  // namespace seam
