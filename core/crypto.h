#pragma once
// Cryptography for seam, all through OpenSSL:
//  - the key file: 32 random bytes, mode 0600, in the state directory;
//  - sealing of secret fields with AES-256-GCM (layout in docs/log-format.md);
//  - keyed fingerprints "fp:" + 12 hex of HMAC-SHA256, the only form in which people see secrets.
// Sub-keys for sealing and fingerprinting are derived from the key file with HKDF-SHA256 so that
// neither use can be turned against the other.

#include <openssl/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/secret.h"
#include "core/status.h"

namespace seam {

inline constexpr std::size_t kKeyFileBytes = 32;

// Reads the key file. Refuses (InvalidArgument, naming the path) a missing file, a symbolic
// link, a file that is not exactly 32 bytes, and a file readable or writable by group or others.
// (core/ reads two files, this one and the config; it does no other I/O.)
Result<Secret> ReadKeyFile(const std::string& path);

// `n` bytes from the OpenSSL CSPRNG.
Result<Secret> RandomBytes(std::size_t n);

// Base64url without padding (RFC 4648 section 5).
std::string Base64UrlEncode(std::string_view bytes);

// Lower-case hex of `n` bytes.
std::string HexLower(const void* data, std::size_t n);

// Lower-case hex of SHA-256(bytes).
std::string Sha256Hex(std::string_view bytes);

// Thread-compatible, not thread-safe: it keeps keyed AES-GCM contexts and reuses them for every
// Seal/Open (re-keying per call dominated replay time). Use one KeyRing per thread.
class KeyRing {
 public:
  // REQUIRES: master.size() == kKeyFileBytes.
  explicit KeyRing(const Secret& master);
  ~KeyRing();
  KeyRing(const KeyRing&) = delete;
  KeyRing& operator=(const KeyRing&) = delete;

  // AES-256-GCM. `associated` binds the ciphertext to its place (stream and version), so a
  // sealed value copied to another event does not open.
  // Output: 0x01 (layout version) | 12-byte nonce | ciphertext | 16-byte tag.
  Result<std::string> Seal(const Secret& plaintext, std::string_view associated) const;
  Result<Secret> Open(std::string_view sealed, std::string_view associated) const;

  // "fp:" + the first 12 hex characters of HMAC-SHA256(fingerprint key, bytes).
  std::string Fingerprint(std::string_view bytes) const;
  std::string Fingerprint(const Secret& s) const { return Fingerprint(s.Reveal()); }
  // The whole HMAC-SHA256 (32 bytes) behind Fingerprint: for telling many values apart in
  // memory (seamctl discover groups by it) without keeping an unkeyed hash of any of them.
  // Fingerprint(b) == FingerprintOfMac(FingerprintMac(b)).
  std::string FingerprintMac(std::string_view bytes) const;

 private:
  Secret seal_key_;
  Secret fingerprint_key_;
  EVP_CIPHER* cipher_;
  EVP_CIPHER_CTX* encrypt_;  // keyed once; each Seal sets a fresh nonce
  EVP_CIPHER_CTX* decrypt_;  // keyed once; each Open sets the stored nonce
};

// "fp:" + 12 hex of a FingerprintMac.
std::string FingerprintOfMac(std::string_view mac);

// The sealing key's own fingerprint ("fp:…", keyed by the key: it tells two keys apart and
// reveals nothing of either), recorded by a shared store (Store::CheckKey) and shown by `init`.
std::string KeyFingerprint(const KeyRing& keys);

// Associated data for a secret sealed into event (stream, version): "<stream>\n<version>".
std::string SealContext(std::string_view stream, std::int64_t version);

}  // namespace seam
