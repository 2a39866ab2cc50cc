#include "core/secret.h"

#include <openssl/crypto.h>

#include <utility>

namespace seam {

// std::string's move leaves a short (SSO) value's bytes in the source's inline buffer, so the
// source is still wiped after the move.
Secret::Secret(Secret&& other) noexcept : bytes_(std::move(other.bytes_)) { other.Wipe(); }

Secret& Secret::operator=(const Secret& other) {
  if (this != &other) {
    Wipe();
    bytes_ = other.bytes_;
  }
  return *this;
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    Wipe();
    bytes_ = std::move(other.bytes_);
    other.Wipe();
  }
  return *this;
}

Secret::~Secret() { Wipe(); }

void Secret::Wipe() noexcept {
  // Wipe the whole capacity: a shrink may have left old bytes past size().
  if (bytes_.capacity() > 0) OPENSSL_cleanse(bytes_.data(), bytes_.capacity());
  bytes_.clear();
}

bool Secret::Equals(const Secret& other) const {
  if (bytes_.size() != other.bytes_.size()) return false;
  if (bytes_.empty()) return true;
  return CRYPTO_memcmp(bytes_.data(), other.bytes_.data(), bytes_.size()) == 0;
}

}  // namespace seam
