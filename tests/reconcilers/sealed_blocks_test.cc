#include "reconcilers/sealed_blocks.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace seam {
namespace {

TEST(SealedBlocksTest, EveryValueComesBackAcrossManyBlocks) {
  SealedBlocks blocks;
  std::vector<SealedBlocks::Ref> refs;
  std::vector<std::string> values;
  // 5,000 values of 100..199 bytes: several 64 KiB blocks, and values that do not fit the
  // rest of a block.
  for (int i = 0; i < 5000; ++i) {
    values.push_back(std::string(static_cast<std::size_t>(100 + i % 100), static_cast<char>('a' + i % 26)) +
                     std::to_string(i));
    refs.push_back(blocks.Add(values.back()));
  }
  EXPECT_GT(refs.back().block, 4u);
  for (std::size_t i = 0; i < values.size(); ++i) ASSERT_EQ(blocks.Get(refs[i]), values[i]) << i;
}

TEST(SealedBlocksTest, AValueLargerThanABlockGetsABlockOfItsOwn) {
  SealedBlocks blocks;
  const SealedBlocks::Ref small = blocks.Add("before");
  const std::string big(200 * 1024, 'x');
  const SealedBlocks::Ref large = blocks.Add(big);
  const SealedBlocks::Ref after = blocks.Add("after");
  EXPECT_EQ(blocks.Get(small), "before");
  EXPECT_EQ(blocks.Get(large), big);
  EXPECT_EQ(blocks.Get(after), "after");
  EXPECT_NE(large.block, small.block);
}

TEST(SealedBlocksTest, ACopyServesTheSameRefsAndOutlivesTheOriginal) {
  SealedBlocks copy;
  SealedBlocks::Ref ref;
  {
    SealedBlocks original;
    original.Add("first");
    ref = original.Add("second");
    copy = original;
  }
  EXPECT_EQ(copy.Get(ref), "second");
}

TEST(SealedBlocksTest, EmptyAndUnknownRefsReadAsNothing) {
  SealedBlocks blocks;
  EXPECT_TRUE(blocks.Add("").empty());
  EXPECT_EQ(blocks.Get(SealedBlocks::Ref{}), "");
  blocks.Add("abc");
  EXPECT_EQ(blocks.Get(SealedBlocks::Ref{7, 0, 3}), "");   // no such block
  EXPECT_EQ(blocks.Get(SealedBlocks::Ref{0, 2, 5}), "");   // past the block's end
}

}  // namespace
}  // namespace seam
