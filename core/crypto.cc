#include "core/crypto.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

namespace seam {
namespace {

constexpr std::uint8_t kSealLayoutV1 = 0x01;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

const unsigned char* U(const char* p) { return reinterpret_cast<const unsigned char*>(p); }
unsigned char* U(char* p) { return reinterpret_cast<unsigned char*>(p); }

Secret Hkdf(const Secret& master, std::string_view info) {
  std::string out(32, '\0');
  std::unique_ptr<EVP_KDF, decltype(&EVP_KDF_free)> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr),
                                                        &EVP_KDF_free);
  std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx(EVP_KDF_CTX_new(kdf.get()),
                                                                &EVP_KDF_CTX_free);
  std::string salt = "seam-key-derivation-v1";
  std::string md = "SHA256";
  std::string key(master.Reveal());
  std::string inf(info);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, md.data(), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, key.data(), key.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt.data(), salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, inf.data(), inf.size()),
      OSSL_PARAM_construct_end()};
  const int rc = EVP_KDF_derive(ctx.get(), U(out.data()), out.size(), params);
  OPENSSL_cleanse(key.data(), key.size());
  // The KDF cannot fail with fixed, valid parameters; a failure is a broken OpenSSL install.
  if (rc != 1) std::abort();
  return Secret(std::move(out));
}

}  // namespace

Result<Secret> ReadKeyFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) {
      return Status::InvalidArgument("key file " + path + " does not exist; run `seamctl init`");
    }
    if (err == ELOOP) {
      return Status::InvalidArgument("key file " + path +
                                     " is a symbolic link; seam reads its key only from a regular file");
    }
    return Status::InvalidArgument("cannot open key file " + path + ": " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::IoError("cannot stat key file " + path + ": " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument("key file " + path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    return Status::InvalidArgument("key file " + path + " has mode " + mode +
                                   "; it must not be accessible by group or others (chmod 600 " +
                                   path + ")");
  }
  if (st.st_size != static_cast<off_t>(kKeyFileBytes)) {
    ::close(fd);
    return Status::InvalidArgument("key file " + path + " is " + std::to_string(st.st_size) +
                                   " bytes; a seam key is exactly 32 bytes");
  }
  std::string bytes(kKeyFileBytes, '\0');
  std::size_t got = 0;
  while (got < kKeyFileBytes) {
    const ssize_t n = ::read(fd, bytes.data() + got, kKeyFileBytes - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  Secret key(std::move(bytes));
  if (got != kKeyFileBytes) {
    return Status::InvalidArgument("key file " + path + " could not be read in full");
  }
  return key;
}

Result<Secret> RandomBytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(U(out.data()), static_cast<int>(n)) != 1) {
    return Status::Internal("the OpenSSL random generator failed");
  }
  return Secret(std::move(out));
}

std::string Base64UrlEncode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto b = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (b(i) << 16) | (b(i + 1) << 8) | b(i + 2);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t v = b(i) << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (rest == 2) {
    const std::uint32_t v = (b(i) << 16) | (b(i + 1) << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  return out;
}

std::string HexLower(const void* data, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto* p = static_cast<const unsigned char*>(data);
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(kHex[p[i] >> 4]);
    out.push_back(kHex[p[i] & 0xf]);
  }
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  return HexLower(md, len);
}

KeyRing::KeyRing(const Secret& master)
    : seal_key_(Hkdf(master, "seal aes-256-gcm")),
      fingerprint_key_(Hkdf(master, "fingerprint hmac-sha256")),
      cipher_(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr)),
      encrypt_(EVP_CIPHER_CTX_new()),
      decrypt_(EVP_CIPHER_CTX_new()) {
  const auto* key = U(seal_key_.Reveal().data());
  // Without AES-GCM seam cannot keep its promise about secrets; refuse to run at all.
  if (cipher_ == nullptr || encrypt_ == nullptr || decrypt_ == nullptr ||
      EVP_EncryptInit_ex(encrypt_, cipher_, nullptr, key, nullptr) != 1 ||
      EVP_DecryptInit_ex(decrypt_, cipher_, nullptr, key, nullptr) != 1) {
    std::abort();
  }
}

KeyRing::~KeyRing() {
  EVP_CIPHER_CTX_free(encrypt_);
  EVP_CIPHER_CTX_free(decrypt_);
  EVP_CIPHER_free(cipher_);
}

Result<std::string> KeyRing::Seal(const Secret& plaintext, std::string_view associated) const {
  std::string out(1 + kNonceBytes + plaintext.size() + kTagBytes, '\0');
  out[0] = static_cast<char>(kSealLayoutV1);
  char* nonce = out.data() + 1;
  char* body = nonce + kNonceBytes;
  char* tag = body + plaintext.size();
  if (RAND_bytes(U(nonce), kNonceBytes) != 1) return Status::Internal("random nonce failed");

  // The default GCM IV length is 12 bytes (kNonceBytes); the key stays set from the constructor.
  int len = 0;
  bool ok = EVP_EncryptInit_ex(encrypt_, nullptr, nullptr, nullptr, U(nonce)) == 1 &&
            EVP_EncryptUpdate(encrypt_, nullptr, &len, U(associated.data()),
                              static_cast<int>(associated.size())) == 1;
  if (ok && !plaintext.empty()) {
    ok = EVP_EncryptUpdate(encrypt_, U(body), &len, U(plaintext.Reveal().data()),
                           static_cast<int>(plaintext.size())) == 1;
  }
  ok = ok && EVP_EncryptFinal_ex(encrypt_, U(body) + plaintext.size(), &len) == 1 &&
       EVP_CIPHER_CTX_ctrl(encrypt_, EVP_CTRL_GCM_GET_TAG, kTagBytes, tag) == 1;
  if (!ok) return Status::Internal("AES-256-GCM sealing failed");
  return out;
}

Result<Secret> KeyRing::Open(std::string_view sealed, std::string_view associated) const {
  if (sealed.size() < 1 + kNonceBytes + kTagBytes) {
    return Status::Corruption("sealed value is " + std::to_string(sealed.size()) +
                              " bytes, shorter than nonce and tag");
  }
  if (static_cast<std::uint8_t>(sealed[0]) != kSealLayoutV1) {
    return Status::Corruption("sealed value has unknown layout version " +
                              std::to_string(static_cast<unsigned>(static_cast<std::uint8_t>(sealed[0]))));
  }
  const char* nonce = sealed.data() + 1;
  const char* body = nonce + kNonceBytes;
  const std::size_t body_len = sealed.size() - 1 - kNonceBytes - kTagBytes;
  unsigned char tag[kTagBytes];
  std::memcpy(tag, body + body_len, kTagBytes);
  std::string out(body_len, '\0');

  int len = 0;
  bool ok = EVP_DecryptInit_ex(decrypt_, nullptr, nullptr, nullptr, U(nonce)) == 1 &&
            EVP_DecryptUpdate(decrypt_, nullptr, &len, U(associated.data()),
                              static_cast<int>(associated.size())) == 1;
  if (ok && body_len > 0) {
    ok = EVP_DecryptUpdate(decrypt_, U(out.data()), &len, U(body), static_cast<int>(body_len)) == 1;
  }
  ok = ok && EVP_CIPHER_CTX_ctrl(decrypt_, EVP_CTRL_GCM_SET_TAG, kTagBytes, tag) == 1;
  Secret plain(std::move(out));
  unsigned char final_block[16];  // GCM emits nothing here; the buffer only satisfies the API
  if (!ok || EVP_DecryptFinal_ex(decrypt_, final_block, &len) != 1) {
    return Status::Corruption(
        "sealed value does not open: wrong key file, or the event was altered");
  }
  return plain;
}

std::string KeyRing::Fingerprint(std::string_view bytes) const { return FingerprintOfMac(FingerprintMac(bytes)); }

std::string KeyRing::FingerprintMac(std::string_view bytes) const {
  unsigned char md[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), fingerprint_key_.Reveal().data(), static_cast<int>(fingerprint_key_.size()),
       U(bytes.data()), bytes.size(), md, &len);
  return std::string(reinterpret_cast<const char*>(md), sizeof md);
}

std::string FingerprintOfMac(std::string_view mac) { return "fp:" + HexLower(mac.data(), std::min<std::size_t>(6, mac.size())); }

std::string SealContext(std::string_view stream, std::int64_t version) {
  std::string out(stream);
  out += '\n';
  out += std::to_string(version);
  return out;
}

std::string KeyFingerprint(const KeyRing& keys) { return keys.Fingerprint(std::string_view("seam sealing key")); }

}  // namespace seam
