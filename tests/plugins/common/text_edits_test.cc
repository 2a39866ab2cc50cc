// The shared pieces of the in-place file edits: splicing edits (plugins/common/text_edits.h),
// strict UTF-8 (utf8.h) and the pointer places of document sides (field_pointers.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "plugins/common/field_pointers.h"
#include "plugins/common/file_snapshot.h"
#include "plugins/common/text_edits.h"
#include "plugins/common/utf8.h"
#include "tests/support/temp_dir.h"

namespace seam {
namespace {

TEST(TextEditsTest, EditsApplyInPositionOrderAndOverlapsAreRefused) {
  std::vector<TextEdit> edits = {{6, 11, "there"}, {0, 0, ">> "}, {11, 11, "!"}, {11, 11, "?"}};
  EXPECT_EQ(ApplyTextEdits("hello world", edits), ">> hello there!?") << "inserts at one place keep their order";
  std::vector<TextEdit> overlap = {{0, 5, "a"}, {3, 8, "b"}};
  EXPECT_EQ(ApplyTextEdits("hello world", overlap), std::nullopt);
  std::vector<TextEdit> past = {{4, 20, "x"}};
  EXPECT_EQ(ApplyTextEdits("short", past), std::nullopt);
  std::vector<TextEdit> none;
  EXPECT_EQ(ApplyTextEdits("same", none), "same");
}

TEST(TextEditsTest, AFileIsWrittenOnlyWhenTheEditReadsBack) {
  testing::TempDir dir;
  const auto file = dir.path() / "f.txt";
  std::string edited = "new";
  FileSnapshot absent;  // what an edit read: no file yet
  ASSERT_TRUE(ReadFileSnapshot(file, 1024, &absent).ok());
  Status refused = WriteIfReadsBack(file, absent.identity, edited, false, "another value differs");
  EXPECT_EQ(refused.code(), StatusCode::kInternal);
  EXPECT_EQ(refused.message(), file.string() + ": the edited file would not read back as the old one with only the "
                                               "value changed (another value differs); not writing");
  EXPECT_FALSE(std::filesystem::exists(file));
  edited = "new";
  ASSERT_TRUE(WriteIfReadsBack(file, absent.identity, edited, true, "").ok());
  EXPECT_EQ(testing::ReadFile(file), "new");
}

TEST(Utf8Test, OnlyStrictUtf8Passes) {
  EXPECT_TRUE(IsValidUtf8("plain ascii, caf\xc3\xa9, \xe2\x82\xac, \xf0\x9f\x94\x91"));
  for (const char* bad : {"\xff", "\xc3", "\xc0\xaf" /* overlong */, "\xed\xa0\x80" /* surrogate */,
                          "\xf4\x90\x80\x80" /* past U+10FFFF */}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << bad;
  }
  EXPECT_EQ(Utf8SequenceLength("\xe2\x82\xac", 0), 3u);
}

TEST(FieldPointersTest, PlacesAreParsedAndNamedOnceEach) {
  SideOptions o("seam.toml", "/tmp", "s", "side", 10);
  o.Set("pointer", OptionValue{std::string("/a/b"), 11});
  Result<std::vector<FieldPointer>> places = TakeFieldPointers(o);
  ASSERT_TRUE(places.ok()) << places.status().ToString();
  EXPECT_EQ(FieldNames(*places), std::vector<std::string>{"token"});
  EXPECT_EQ(DescribePlaces(*places), "#/a/b");
  SideOptions bad("seam.toml", "/tmp", "s", "side", 10);
  bad.Set("pointer", OptionValue{std::string("no-slash"), 12});
  Result<std::vector<FieldPointer>> refused = TakeFieldPointers(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message().rfind("seam.toml:12: ", 0), 0u) << refused.status().message();
}

}  // namespace
}  // namespace seam
