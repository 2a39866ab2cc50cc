#include "core/hash_chain.h"

#include <openssl/evp.h>

#include <cstddef>
#include <cstdlib>
#include <cstdint>
#include <memory>

namespace seam {
namespace {

// Input layout (docs/log-format.md):
//   "seam-event-v1"                      13 bytes, domain separation
//   u64be seq | str stream | u64be version | str type | u64be time_us (two's complement)
//   | str actor | str payload | prev_hash (32 bytes)
// where str = u32be length followed by the bytes.
constexpr char kDomain[] = "seam-event-v1";

// One digest context per thread, reused: creating a context and looking up SHA-256 on every
// event costs more than hashing it (verify of 1M events is dominated by this).
class Sha256 {
 public:
  Sha256() {
    thread_local const std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> md(
        EVP_MD_fetch(nullptr, "SHA256", nullptr), &EVP_MD_free);
    thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(
        EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    ctx_ = ctx.get();
    // Failing here means a broken OpenSSL install; a wrong hash would be worse than stopping.
    if (md == nullptr || ctx_ == nullptr || EVP_DigestInit_ex2(ctx_, md.get(), nullptr) != 1) std::abort();
  }
  void Bytes(const void* data, std::size_t n) {
    if (EVP_DigestUpdate(ctx_, data, n) != 1) std::abort();
  }
  void U64(std::uint64_t v) {
    std::uint8_t b[8];
    for (int i = 7; i >= 0; --i) {
      b[i] = static_cast<std::uint8_t>(v & 0xff);
      v >>= 8;
    }
    Bytes(b, sizeof b);
  }
  void Str(const std::string& s) {
    const auto n = static_cast<std::uint32_t>(s.size());
    const std::uint8_t b[4] = {static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
                               static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
    Bytes(b, sizeof b);
    Bytes(s.data(), s.size());
  }
  Hash Finish() {
    Hash out{};
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx_, out.data(), &len) != 1) std::abort();
    return out;
  }

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace

Hash ComputeEventHash(const Event& e) {
  Sha256 h;
  h.Bytes(kDomain, sizeof kDomain - 1);
  h.U64(static_cast<std::uint64_t>(e.seq));
  h.Str(e.stream);
  h.U64(static_cast<std::uint64_t>(e.version));
  h.Str(e.type);
  h.U64(static_cast<std::uint64_t>(e.time_us));
  h.Str(e.actor);
  h.Str(e.payload);
  h.Bytes(e.prev_hash.data(), e.prev_hash.size());
  return h.Finish();
}

std::string HashToHex(const Hash& hash) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (std::uint8_t b : hash) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

bool HashFromHex(const std::string& hex, Hash* out) {
  if (hex.size() != 64) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Hash parsed{};  // *out is untouched unless the whole input parses
  for (std::size_t i = 0; i < 32; ++i) {
    const int hi = nibble(hex[2 * i]);
    const int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    parsed[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  *out = parsed;
  return true;
}

}  // namespace seam
