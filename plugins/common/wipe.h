#pragma once
// Best-effort wiping of plaintext held in std::string buffers (file contents, serialized
// output) before the memory is freed. Best effort: a std::string that reallocates frees its old
// buffer unwiped, so callers that grow a secret buffer use the helpers below instead of
// append/resize.

#include <cstddef>
#include <string>
#include <string_view>

namespace seam {

// Overwrites the whole buffer (spare capacity included) with zeros via OPENSSL_cleanse and
// leaves `s` empty. Never reallocates.
void WipeString(std::string& s) noexcept;

// s.resize(size), but when that needs a bigger buffer the old one is wiped before it is freed.
void ResizeWiping(std::string& s, std::size_t size);

// s.append(more), wiping the old buffer when the append has to reallocate.
void AppendWiping(std::string& s, std::string_view more);

}  // namespace seam
