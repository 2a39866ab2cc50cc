#pragma once
// The sealed values of one stream's records, packed into blocks (512 bytes, doubling up to
// 64 KiB). A replay keeps every record the stream ever set (RecordState::history), one per
// event in a long stream; one heap allocation per value was the largest single cost in a
// 1M-event replay's profile.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace seam {

class SealedBlocks {
 public:
  // Where one value is; an empty Ref is "no value" (a sealed value is never empty).
  struct Ref {
    std::uint32_t block = 0;
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
    bool empty() const { return size == 0; }
  };

  // Keeps a copy of `bytes`. Refs are indices, so a copied SealedBlocks serves the same Refs.
  Ref Add(std::string_view bytes);

  // The bytes of `ref` ("" for an empty Ref); valid until this object changes or goes.
  std::string_view Get(Ref ref) const;

 private:
  std::vector<std::string> blocks_;
};

}  // namespace seam
