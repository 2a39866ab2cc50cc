#include "reconcilers/sealed_blocks.h"

#include <algorithm>

namespace seam {
namespace {

// Large enough that a block holds hundreds of values, small enough that a stream of a few
// events costs little.
constexpr std::size_t kBlockBytes = 64 * 1024;

}  // namespace

SealedBlocks::Ref SealedBlocks::Add(std::string_view bytes) {
  if (bytes.empty()) return Ref{};
  // Appending within a block's reserved capacity never moves it; a value that does not fit
  // starts a new block (of its own size when larger than a block).
  if (blocks_.empty() || blocks_.back().capacity() - blocks_.back().size() < bytes.size()) {
    blocks_.emplace_back();
    blocks_.back().reserve(std::max(kBlockBytes, bytes.size()));
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
