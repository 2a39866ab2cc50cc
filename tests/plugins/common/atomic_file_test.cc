#include "plugins/common/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>

#include "tests/support/temp_dir.h"

namespace seam {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

mode_t ModeOf(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

std::set<std::string> Names(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

TEST(AtomicFileTest, CreatesMissingFileWithCreateModeRegardlessOfUmask) {
  TempDir dir;
  mode_t old_umask = ::umask(077);
  Status s = WriteFileAtomically(dir / "new.json", "hello\n", 0644);
  ::umask(old_umask);

  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ReadFile(dir / "new.json"), "hello\n");
  EXPECT_EQ(ModeOf(dir / "new.json"), 0644u);
}

TEST(AtomicFileTest, DefaultCreateModeIs0600) {
  TempDir dir;
  ASSERT_TRUE(WriteFileAtomically(dir / "new.json", "x").ok());
  EXPECT_EQ(ModeOf(dir / "new.json"), 0600u);
}

TEST(AtomicFileTest, ReplacesContentKeepingModeAndLeavesNoTempFile) {
  TempDir dir;
  WriteFile(dir / "f", "old content that is longer");
  fs::permissions(dir / "f", static_cast<fs::perms>(0640));

  Status s = WriteFileAtomically(dir / "f", "new");

  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ReadFile(dir / "f"), "new");
  EXPECT_EQ(ModeOf(dir / "f"), 0640u);
  EXPECT_EQ(Names(dir.path()), std::set<std::string>{"f"});
}

TEST(AtomicFileTest, ReplacesTheFileNotWritesInPlace) {
  TempDir dir;
  WriteFile(dir / "f", "old");
  struct stat before {};
  ASSERT_EQ(::stat((dir / "f").c_str(), &before), 0);

  ASSERT_TRUE(WriteFileAtomically(dir / "f", "new").ok());

  struct stat after {};
  ASSERT_EQ(::stat((dir / "f").c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);  // a reader holding the old fd still sees "old"
}

TEST(AtomicFileTest, MissingDirectoryIsAnErrorAndIsNotCreated) {
  TempDir dir;
  Status s = WriteFileAtomically(dir / "nope" / "f", "x");

  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.message(), (dir / "nope" / "f").string() + ": directory " + (dir / "nope").string() +
                             " does not exist");
  EXPECT_FALSE(fs::exists(dir / "nope"));
}

TEST(AtomicFileTest, TargetThatIsADirectoryIsRefused) {
  TempDir dir;
  fs::create_directory(dir / "d");
  Status s = WriteFileAtomically(dir / "d", "x");

  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.message(), (dir / "d").string() + ": not a regular file");
  EXPECT_EQ(Names(dir.path()), std::set<std::string>{"d"});
}

TEST(AtomicFileTest, WritesThroughASymlinkAndKeepsTheLink) {
  TempDir dir;
  fs::create_directory(dir / "real");
  WriteFile(dir / "real" / "f", "old");
  fs::create_symlink("real/f", dir / "link");

  ASSERT_TRUE(WriteFileAtomically(dir / "link", "new").ok());

  EXPECT_TRUE(fs::is_symlink(dir / "link"));
  EXPECT_EQ(ReadFile(dir / "real" / "f"), "new");
  EXPECT_EQ(Names(dir / "real"), std::set<std::string>{"f"});
}

TEST(AtomicFileTest, UnwritableDirectoryFailsWithStrerrorAndLeavesTargetAlone) {
  if (::geteuid() == 0) GTEST_SKIP() << "root bypasses directory permissions";
  TempDir dir;
  fs::create_directory(dir / "ro");
  WriteFile(dir / "ro" / "f", "old");
  fs::permissions(dir / "ro", static_cast<fs::perms>(0500));

  Status s = WriteFileAtomically(dir / "ro" / "f", "new");

  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("Permission denied"), std::string::npos) << s.message();
  EXPECT_EQ(ReadFile(dir / "ro" / "f"), "old");
  EXPECT_EQ(Names(dir / "ro"), std::set<std::string>{"f"});
}

}  // namespace
}  // namespace seam
