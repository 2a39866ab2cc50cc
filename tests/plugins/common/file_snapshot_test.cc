// ReadFileSnapshot (plugins/common/file_snapshot.h): one fd, read whole. A regular file is read
// up to the size fstat gave (one read when it all comes at once); a file that reports size 0
// but has content (procfs) is read on to EOF.
#include "plugins/common/file_snapshot.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "tests/support/temp_dir.h"

namespace seam {
namespace {

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(FileSnapshotTest, AFileThatReportsSizeZeroIsReadToItsEnd) {
  // Kilobytes behind st_size 0 (more than the buffer a size-0 file starts with), stable between
  // two reads.
  const std::filesystem::path proc = "/proc/crypto";
  ASSERT_EQ(std::filesystem::file_size(proc), 0u);
  const std::string expected = Slurp(proc);
  ASSERT_GT(expected.size(), 8192u);
  FileSnapshot snap;
  ASSERT_TRUE(ReadFileSnapshot(proc, 1 << 20, &snap).ok());
  EXPECT_TRUE(snap.exists);
  EXPECT_EQ(snap.bytes, expected);
}

TEST(FileSnapshotTest, AnEmptyRegularFileIsEmptyAndARegularFileIsReadWhole) {
  testing::TempDir dir;
  testing::WriteFile(dir / "empty", "");
  FileSnapshot empty;
  ASSERT_TRUE(ReadFileSnapshot(dir / "empty", 1 << 20, &empty).ok());
  EXPECT_TRUE(empty.exists);
  EXPECT_EQ(empty.bytes, "");

  const std::string big(300'000, 'x');
  testing::WriteFile(dir / "big", big);
  FileSnapshot whole;
  ASSERT_TRUE(ReadFileSnapshot(dir / "big", 1 << 20, &whole).ok());
  EXPECT_EQ(whole.bytes, big);
}

TEST(FileSnapshotTest, AFileThatReportsSizeZeroStillHasTheLimit) {
  FileSnapshot snap;
  Status s = ReadFileSnapshot("/proc/filesystems", 16, &snap);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find("/proc/filesystems"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace seam
