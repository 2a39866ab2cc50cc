#include "core/hash_chain.h"

#include "core/crypto.h"

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
// where str = u32be length followed by the bytes. An event with an epoch (not 0) is hashed over
//   "seam-event-v2" | u64be seq | str stream | u64be version | u64be epoch | str type | ...
// the rest as v1. Epoch 0 keeps v1, byte for byte: chains written before epochs existed, and
// appends that need no fencing, hash as they always did, on every store.
constexpr char kDomain[] = "seam-event-v1";
constexpr char kDomainV2[] = "seam-event-v2";
static_assert(sizeof kDomain == sizeof kDomainV2);

// The input is assembled in a per-thread buffer and hashed with one digest call through a
// per-thread context: many small EVP_DigestUpdate calls, or a fresh context per event, cost more
// than the hashing itself (verify of 1M events is dominated by this).
class ChainInput {
 public:
  explicit ChainInput(std::string& buf) : buf_(buf) { buf_.clear(); }
  void Bytes(const void* data, std::size_t n) { buf_.append(static_cast<const char*>(data), n); }
  void U64(std::uint64_t v) {
    char b[8];
    for (int i = 7; i >= 0; --i) {
      b[i] = static_cast<char>(v & 0xff);
      v >>= 8;
    }
    Bytes(b, sizeof b);
  }
  void Str(const std::string& s) {
    const auto n = static_cast<std::uint32_t>(s.size());
    const char b[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                       static_cast<char>(n >> 8), static_cast<char>(n)};
    Bytes(b, sizeof b);
    Bytes(s.data(), s.size());
  }

 private:
  std::string& buf_;
};

Hash Sha256(const std::string& input) {
  thread_local const std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> md(
      EVP_MD_fetch(nullptr, "SHA256", nullptr), &EVP_MD_free);
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(
      EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  Hash out{};
  unsigned int len = 0;
  // Failing here means a broken OpenSSL install; a wrong hash would be worse than stopping.
  if (md == nullptr || ctx == nullptr || EVP_DigestInit_ex2(ctx.get(), md.get(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), input.data(), input.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1) {
    std::abort();
  }
  return out;
}

}  // namespace

Hash ComputeEventHash(const Event& e) {
  thread_local std::string buf;
  ChainInput h(buf);
  h.Bytes(e.epoch == 0 ? kDomain : kDomainV2, sizeof kDomain - 1);
  h.U64(static_cast<std::uint64_t>(e.seq));
  h.Str(e.stream);
  h.U64(static_cast<std::uint64_t>(e.version));
  if (e.epoch != 0) h.U64(static_cast<std::uint64_t>(e.epoch));
  h.Str(e.type);
  h.U64(static_cast<std::uint64_t>(e.time_us));
  h.Str(e.actor);
  h.Str(e.payload);
  h.Bytes(e.prev_hash.data(), e.prev_hash.size());
  return Sha256(buf);
}

std::string HashToHex(const Hash& hash) { return HexLower(hash.data(), hash.size()); }

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
