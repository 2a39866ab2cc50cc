#include "plugins/common/wipe.h"

#include <openssl/crypto.h>

#include <algorithm>

namespace seam {
namespace {

// Makes room for `needed` bytes; a move to a bigger buffer wipes the one left behind.
void ReserveWiping(std::string& s, std::size_t needed) {
  if (needed <= s.capacity()) return;
  std::string bigger;
  bigger.reserve(std::max(needed, s.capacity() * 2));
  bigger.assign(s);
  WipeString(s);
  s.swap(bigger);
}

}  // namespace

void WipeString(std::string& s) noexcept {
  // Growing to the capacity never reallocates, and makes the spare bytes part of the string,
  // so the cleanse below stays inside the string's own bytes.
  s.resize(s.capacity());
  OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

void ResizeWiping(std::string& s, std::size_t size) {
  ReserveWiping(s, size);
  s.resize(size);
}

void AppendWiping(std::string& s, std::string_view more) {
  ReserveWiping(s, s.size() + more.size());
  s.append(more);
}

}  // namespace seam
