#include "reconcilers/sealed_blocks.h"

#include <algorithm>

namespace seam {
namespace {

// Blocks double from kFirstBlockBytes to kBlockBytes: a stream of a few events (most of them;
// seamd keeps 10,000 such states) costs a few hundred bytes, a long one holds hundreds of
// values per block.
constexpr std::size_t kFirstBlockBytes = 512;
constexpr std::size_t kBlockBytes = 64 * 1024;

}  // namespace

SealedBlocks::Ref SealedBlocks::Add(std::string_view bytes) {
  if (bytes.empty()) return Ref{};
  // Appending within a block's reserved capacity never moves it; a value that does not fit
  // starts a new block (of its own size when larger than a block).
  if (blocks_.empty() || blocks_.back().capacity() - blocks_.back().size() < bytes.size()) {
    const std::size_t size = blocks_.empty() ? kFirstBlockBytes : std::min(2 * blocks_.back().capacity(), kBlockBytes);
    blocks_.emplace_back();
    blocks_.back().reserve(std::max(size, bytes.size()));
  }
  std::string& block = blocks_.back();
  const Ref ref{static_cast<std::uint32_t>(blocks_.size() - 1), static_cast<std::uint32_t>(block.size()),
                static_cast<std::uint32_t>(bytes.size())};
  block.append(bytes);
  return ref;
}

std::string_view SealedBlocks::Get(Ref ref) const {
  if (ref.empty() || ref.block >= blocks_.size()) return {};
  const std::string& block = blocks_[ref.block];
  if (std::size_t{ref.offset} + ref.size > block.size()) return {};
  return std::string_view(block).substr(ref.offset, ref.size);
}

}  // namespace seam
