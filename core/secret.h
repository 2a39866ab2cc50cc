#pragma once
// Secret: bytes that must never be printed, logged or left in freed memory.
//
// There is deliberately no operator<<, no fmt formatter and no implicit conversion to string;
// the only way to the bytes is the loudly named Reveal(). The buffer is wiped with
// OPENSSL_cleanse on destruction, on assignment and when moved from.

#include <cstddef>
#include <string>
#include <string_view>

namespace seam {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string bytes) : bytes_(std::move(bytes)) {}
  explicit Secret(std::string_view bytes) : bytes_(bytes) {}
  Secret(const Secret& other) : bytes_(other.bytes_) {}
  Secret(Secret&& other) noexcept;
  Secret& operator=(const Secret& other);
  Secret& operator=(Secret&& other) noexcept;
  ~Secret();

  // The plaintext. Callers must not log, print or persist it unsealed.
  std::string_view Reveal() const { return bytes_; }
  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }

  // Constant-time comparison (CRYPTO_memcmp); lengths are not secret.
  bool Equals(const Secret& other) const;

 private:
  void Wipe() noexcept;
  std::string bytes_;
};

}  // namespace seam
