// ReplaceReadFile and RemoveReadFile: a file side replaces (or removes) only the file it read.
// Each test reads a real file, changes the directory in one window through the step hook (what
// another program or an attacker could do at that moment), and checks that nothing of theirs
// was overwritten, written through or lost.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "plugins/common/atomic_file.h"
#include "plugins/common/file_snapshot.h"
#include "plugins/common/link_policy.h"
#include "tests/support/temp_dir.h"

namespace seam {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::EntryNames;
using testing::TempDir;
using testing::WriteFile;

// The side's read; kept for as long as the write that uses its identity, as a side keeps it
// (its open directory and file keep their inode numbers from being reused).
std::unique_ptr<FileSnapshot> Read(const fs::path& path) {
  auto snap = std::make_unique<FileSnapshot>();
  EXPECT_TRUE(ReadFileSnapshot(path, 1 << 20, snap.get()).ok()) << path;
  return snap;
}

// Runs `change` once, at the step named `when` of the next write or removal.
class AtStep {
 public:
  AtStep(std::string_view when, std::function<void()> change) {
    atomic_file_internal::SetStepHook([when = std::string(when), change = std::move(change), done = false](
                                          std::string_view step) mutable {
      if (done || step != when) return;
      done = true;
      change();
    });
  }
  ~AtStep() { atomic_file_internal::SetStepHook(nullptr); }
  AtStep(const AtStep&) = delete;
  AtStep& operator=(const AtStep&) = delete;
};

void ExpectRefused(const Status& s, const std::string& message) {
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.message();
  EXPECT_EQ(s.message(), message);
}

TEST(ReplaceReadFileTest, ReplacesTheFileReadKeepingItsModeAndLeavesNoTempFile) {
  TempDir dir;
  WriteFile(dir / "f", "old");
  ASSERT_EQ(::chmod((dir / "f").c_str(), 0640), 0);
  const std::unique_ptr<FileSnapshot> read_snap = Read(dir / "f");
  const FileIdentity& read = read_snap->identity;

  ASSERT_TRUE(ReplaceReadFile(dir / "f", "new", read).ok());

  EXPECT_EQ(ReadFile(dir / "f"), "new");
  struct stat st {};
  ASSERT_EQ(::stat((dir / "f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_NE(st.st_ino, read.ino);
  EXPECT_EQ(EntryNames(dir.path()), std::set<std::string>{"f"});
}

TEST(ReplaceReadFileTest, CreatesAFileThatWasAbsentWhenRead) {
  TempDir dir;
  const std::unique_ptr<FileSnapshot> read_snap = Read(dir / "f");
  const FileIdentity& read = read_snap->identity;
  ASSERT_FALSE(read.exists);

  ASSERT_TRUE(ReplaceReadFile(dir / "f", "new", read, 0600).ok());

  EXPECT_EQ(ReadFile(dir / "f"), "new");
  EXPECT_EQ(EntryNames(dir.path()), std::set<std::string>{"f"});
}

TEST(ReplaceReadFileTest, TheSameIdentityTwiceIsRefusedTheSecondTime) {
  // The first write replaced the inode read: a second write from the same read is stale.
  TempDir dir;
  WriteFile(dir / "f", "old");
  const std::unique_ptr<FileSnapshot> read_snap = Read(dir / "f");
  const FileIdentity& read = read_snap->identity;
  ASSERT_TRUE(ReplaceReadFile(dir / "f", "first", read).ok());

  ExpectRefused(ReplaceReadFile(dir / "f", "second", read),
                (dir / "f").string() + " was replaced by another file since it was read; not writing");
  EXPECT_EQ(ReadFile(dir / "f"), "first");
}

// The path swapped for a symlink to a file elsewhere, in each window: the file elsewhere is never
// written, and the link stays.
TEST(ReplaceReadFileTest, APathSwappedForASymlinkAfterTheReadIsNeitherFollowedNorReplaced) {
  for (const char* when : {"before-checks", "before-rename"}) {
    SCOPED_TRACE(when);
    TempDir dir;
    fs::create_directory(dir / "elsewhere");
    WriteFile(dir / "elsewhere" / "target", "not seam's");
    WriteFile(dir / "f", "old");
    const std::unique_ptr<FileSnapshot> read_snap = Read(dir / "f");
    const FileIdentity& read = read_snap->identity;

    Status s;
    {
      AtStep swap(when, [&] {
        fs::remove(dir / "f");
        fs::create_symlink(dir / "elsewhere" / "target", dir / "f");
      });
      s = ReplaceReadFile(dir / "f", "new", read);
    }
    const std::string path = (dir / "f").string();
    if (std::string_view(when) == "before-checks") {
      ExpectRefused(s, path + " is a symlink now; seam does not write through one (part of another tool's layout); "
                              "not writing");
    } else {
      ExpectRefused(s, path + " was replaced or rewritten while it was being written; it is put back; not writing");
    }
    EXPECT_TRUE(fs::is_symlink(dir / "f"));
    EXPECT_EQ(fs::read_symlink(dir / "f"), dir / "elsewhere" / "target");
    EXPECT_EQ(ReadFile(dir / "elsewhere" / "target"), "not seam's");
    EXPECT_EQ(EntryNames(dir.path()), (std::set<std::string>{"elsewhere", "f"}));
  }
}

// Another program's write in the window: its file is kept, seam's value is not written.
TEST(ReplaceReadFileTest, AFileAnotherProgramPutThereAfterTheReadIsKept) {
  for (const char* when : {"before-checks", "before-rename"}) {
    SCOPED_TRACE(when);
    TempDir dir;
    WriteFile(dir / "f", "old");
    const std::unique_ptr<FileSnapshot> read_snap = Read(dir / "f");
    const FileIdentity& read = read_snap->identity;

    Status s;
    {
      AtStep other(when, [&] {
        WriteFile(dir / ".other", "theirs");
        fs::rename(dir / ".other", dir / "f");  // as an atomic writer would
      });
      s = ReplaceReadFile(dir / "f", "new", read);
    }
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.message();
    EXPECT_EQ(ReadFile(dir / "f"), "theirs");
    EXPECT_EQ(EntryNames(dir.path()), std::set<std::string>{"f"});
  }
}

TEST(ReplaceReadFileTest, ANameTakenAfterItWasReadAbsentIsKept) {
  for (const char* when : {"before-checks", "before-rename"}) {
    SCOPED_TRACE(when);
    TempDir dir;
    const std::unique_ptr<FileSnapshot> read_snap = Read(dir / "f");
    const FileIdentity& read = read_snap->identity;

    Status s;
    {
      AtStep other(when, [&] { WriteFile(dir / "f", "theirs"); });
      s = ReplaceReadFile(dir / "f", "new", read);
    }
    const std::string path = (dir / "f").string();
    ExpectRefused(s, path + (std::string_view(when) == "before-checks" ? " was created since it was read; not writing"
                                                                      : " was created while it was being written; not writing"));
    EXPECT_EQ(ReadFile(dir / "f"), "theirs");
    EXPECT_EQ(EntryNames(dir.path()), std::set<std::string>{"f"});
  }
}

TEST(ReplaceReadFileTest, AFileRemovedAfterTheReadIsNotRecreated) {
  for (const char* when : {"before-checks", "before-rename"}) {
    SCOPED_TRACE(when);
    TempDir dir;
    WriteFile(dir / "f", "old");
    const std::unique_ptr<FileSnapshot> read_snap = Read(dir / "f");
    const FileIdentity& read = read_snap->identity;

    Status s;
    {
      AtStep other(when, [&] { fs::remove(dir / "f"); });
      s = ReplaceReadFile(dir / "f", "new", read);
    }
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.message();
    EXPECT_TRUE(EntryNames(dir.path()).empty());
  }
}

// The side's directory swapped for a symlink to another directory holding a file of that name.
TEST(ReplaceReadFileTest, ADirectorySwappedForASymlinkBeforeTheWriteIsRefused) {
  for (bool other_has_file : {true, false}) {
    SCOPED_TRACE(other_has_file ? "the other directory has the file" : "the other directory has none");
    TempDir dir;
    fs::create_directory(dir / "app");
    fs::create_directory(dir / "other");
    if (other_has_file) WriteFile(dir / "other" / "f", "not seam's");
    if (!other_has_file) WriteFile(dir / "app" / "f", "old");
    const std::unique_ptr<FileSnapshot> read_snap = Read(dir / "app" / "f");
    const FileIdentity& read = read_snap->identity;

    Status s;
    {
      AtStep swap("before-checks", [&] {
        fs::rename(dir / "app", dir / "app.old");
        fs::create_symlink(dir / "other", dir / "app");
      });
      s = ReplaceReadFile(dir / "app" / "f", "new", read);
    }
    ExpectRefused(s, (dir / "app" / "f").string() + ": directory " + (dir / "app").string() + " is not the one " +
                         (dir / "app" / "f").string() +
                         " was read in (replaced, or a symlink on the way points elsewhere now); not writing");
    EXPECT_EQ(EntryNames(dir / "other"), other_has_file ? std::set<std::string>{"f"} : std::set<std::string>{});
    if (other_has_file) {
      EXPECT_EQ(ReadFile(dir / "other" / "f"), "not seam's");
    }
  }
}

// Swapped after the directory was opened: the write stays in the directory it read from (the
// open one, renamed), and the other directory is never touched.
TEST(ReplaceReadFileTest, ADirectorySwappedAfterItWasOpenedKeepsTheWriteWhereTheFileWasRead) {
  TempDir dir;
  fs::create_directory(dir / "app");
  fs::create_directory(dir / "other");
  WriteFile(dir / "app" / "f", "old");
  WriteFile(dir / "other" / "f", "not seam's");
  const std::unique_ptr<FileSnapshot> read_snap = Read(dir / "app" / "f");
  const FileIdentity& read = read_snap->identity;

  {
    AtStep swap("before-rename", [&] {
      fs::rename(dir / "app", dir / "app.old");
      fs::create_symlink(dir / "other", dir / "app");
    });
    ASSERT_TRUE(ReplaceReadFile(dir / "app" / "f", "new", read).ok());
  }
  EXPECT_EQ(ReadFile(dir / "app.old" / "f"), "new");
  EXPECT_EQ(ReadFile(dir / "other" / "f"), "not seam's");
  EXPECT_EQ(EntryNames(dir / "app.old"), std::set<std::string>{"f"});
}

TEST(ReplaceReadFileTest, AFileWithAnotherHardLinkIsRefusedAndBothNamesKeepTheirContent) {
  TempDir dir;
  WriteFile(dir / "f", "old");
  fs::create_hard_link(dir / "f", dir / "backup");
  const std::unique_ptr<FileSnapshot> read_snap = Read(dir / "f");
  const FileIdentity& read = read_snap->identity;
  const std::string path = (dir / "f").string();
  const std::string refusal =
      path + " has 2 hard links: replacing it (a new file renamed over the old) would leave the other names holding "
             "the old content; seam does not write it: make this side the seam's `authority`, or point the side at "
             "a file of its own";

  ExpectRefused(ReplaceReadFile(dir / "f", "new", read), refusal + "; not writing");
  ExpectRefused(RefuseHardLinks(dir / "f"), refusal);
  EXPECT_EQ(ReadFile(dir / "f"), "old");
  EXPECT_EQ(ReadFile(dir / "backup"), "old");
  EXPECT_EQ(EntryNames(dir.path()), (std::set<std::string>{"backup", "f"}));
}

TEST(ReplaceReadFileTest, AHardLinkMadeWhileWritingPutsTheFileBack) {
  TempDir dir;
  WriteFile(dir / "f", "old");
  const std::unique_ptr<FileSnapshot> read_snap = Read(dir / "f");
  const FileIdentity& read = read_snap->identity;

  Status s;
  {
    AtStep link("before-rename", [&] { fs::create_hard_link(dir / "f", dir / "backup"); });
    s = ReplaceReadFile(dir / "f", "new", read);
  }
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("has 2 hard links"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("the file is put back"), std::string::npos) << s.message();
  EXPECT_EQ(ReadFile(dir / "f"), "old");
  EXPECT_EQ(ReadFile(dir / "backup"), "old");
  EXPECT_EQ(EntryNames(dir.path()), (std::set<std::string>{"backup", "f"}));
}

// Another program rewrote the file in place (the same inode, other bytes) after the read: the
// conditional rename takes it out, finds other bytes than were read, and puts it back.
TEST(ReplaceReadFileTest, AFileRewrittenInPlaceAfterTheReadIsPutBack) {
  for (const char* when : {"before-checks", "before-rename"}) {
    SCOPED_TRACE(when);
    TempDir dir;
    WriteFile(dir / "f", "old");
    const std::unique_ptr<FileSnapshot> read = Read(dir / "f");
    Status s;
    {
      AtStep other(when, [&] { WriteFile(dir / "f", "theirs"); });  // truncated and written: one inode
      s = ReplaceReadFile(dir / "f", "new", read->identity);
    }
    ExpectRefused(s, (dir / "f").string() +
                         " was replaced or rewritten while it was being written; it is put back; not writing");
    EXPECT_EQ(ReadFile(dir / "f"), "theirs");
    EXPECT_EQ(EntryNames(dir.path()), std::set<std::string>{"f"});
  }
}

// Two writes by another program: the first is there when seam renames (so it is taken out and
// put back), the second lands while it is out. Both survive: the first at the path, the second
// beside it under the temp name, which is not removed since it is not seam's file.
TEST(ReplaceReadFileTest, AFileRenamedThereWhileAnotherIsPutBackIsLeftBesideIt) {
  TempDir dir;
  WriteFile(dir / "f", "old");
  const std::unique_ptr<FileSnapshot> read = Read(dir / "f");
  auto put = [&](const std::string& bytes) {
    WriteFile(dir / ".incoming", bytes);
    fs::rename(dir / ".incoming", dir / "f");
  };
  atomic_file_internal::SetStepHook([&](std::string_view step) {
    if (step == "before-rename") put("first");
    if (step == "after-exchange") put("second");
  });
  const Status s = ReplaceReadFile(dir / "f", "new", read->identity);
  atomic_file_internal::SetStepHook(nullptr);

  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.message();
  EXPECT_NE(s.message().find("is left beside it as .f."), std::string::npos) << s.message();
  EXPECT_EQ(ReadFile(dir / "f"), "first");
  std::set<std::string> names = EntryNames(dir.path());
  ASSERT_EQ(names.size(), 2u);
  names.erase("f");
  EXPECT_EQ(ReadFile(dir / *names.begin()), "second");
}

TEST(RemoveReadFileTest, RemovesTheFileReadAndAnAbsentOneIsOk) {
  TempDir dir;
  WriteFile(dir / "f", "old");
  ASSERT_TRUE(RemoveReadFile(dir / "f", Read(dir / "f")->identity).ok());
  EXPECT_TRUE(EntryNames(dir.path()).empty());
  ASSERT_TRUE(RemoveReadFile(dir / "f", Read(dir / "f")->identity).ok());
}

TEST(RemoveReadFileTest, WhatIsThereInsteadOfTheFileReadIsKept) {
  TempDir dir;
  fs::create_directory(dir / "elsewhere");
  WriteFile(dir / "elsewhere" / "target", "not seam's");
  WriteFile(dir / "f", "old");
  WriteFile(dir / "g", "old");
  const std::unique_ptr<FileSnapshot> read_f_snap = Read(dir / "f");
  const FileIdentity& read_f = read_f_snap->identity;
  const std::unique_ptr<FileSnapshot> read_g_snap = Read(dir / "g");
  const FileIdentity& read_g = read_g_snap->identity;
  {
    AtStep swap("before-checks", [&] {
      fs::remove(dir / "f");
      fs::create_symlink(dir / "elsewhere" / "target", dir / "f");
    });
    ExpectRefused(RemoveReadFile(dir / "f", read_f),
                  (dir / "f").string() +
                      " is a symlink now; seam does not write through one (part of another tool's layout); not removing");
  }
  {
    AtStep other("before-checks", [&] {
      WriteFile(dir / ".other", "theirs");
      fs::rename(dir / ".other", dir / "g");
    });
    ExpectRefused(RemoveReadFile(dir / "g", read_g),
                  (dir / "g").string() + " was replaced by another file since it was read; not removing");
  }
  EXPECT_TRUE(fs::is_symlink(dir / "f"));
  EXPECT_EQ(ReadFile(dir / "elsewhere" / "target"), "not seam's");
  EXPECT_EQ(ReadFile(dir / "g"), "theirs");
  EXPECT_EQ(EntryNames(dir.path()), (std::set<std::string>{"elsewhere", "f", "g"}));
}

// Replaced just before it is moved aside: what is moved aside is checked, and put back.
TEST(RemoveReadFileTest, AFileReplacedJustBeforeTheMoveIsPutBack) {
  TempDir dir;
  WriteFile(dir / "g", "old");
  const std::unique_ptr<FileSnapshot> read = Read(dir / "g");
  {
    AtStep other("before-rename", [&] {
      WriteFile(dir / ".other", "theirs");
      fs::rename(dir / ".other", dir / "g");
    });
    ExpectRefused(RemoveReadFile(dir / "g", read->identity),
                  (dir / "g").string() +
                      " was replaced or rewritten while it was being removed; it is put back; not removing");
  }
  EXPECT_EQ(ReadFile(dir / "g"), "theirs");
  EXPECT_EQ(EntryNames(dir.path()), std::set<std::string>{"g"});
}

}  // namespace
}  // namespace seam
