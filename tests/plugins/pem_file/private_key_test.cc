// How core/x509.h reads private keys (ValidatePrivateKeyPem, PrivateKeyMatches), against
// OpenSSL's own PEM_read_bio_PrivateKey on the same text: seam reuses one decoder chain per
// thread rather than calling it (core/x509.cc, KeyDecoder), and must accept and refuse exactly
// what it does. Keys are made in the test by OpenSSL, in every encoding a key file comes in.

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/x509.h"
#include "tests/plugins/pem_file/cert_fixture.h"

namespace seam {
namespace {

using testing::PemPair;

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// What `write` put in a memory BIO.
template <class Write>
std::string Pem(Write write) {
  BIO* out = BIO_new(BIO_s_mem());
  EXPECT_EQ(write(out), 1);
  std::string text(BIO_ctrl_pending(out), '\0');
  BIO_read(out, text.data(), static_cast<int>(text.size()));
  BIO_free(out);
  return text;
}

int Refuse(char*, int, int, void* asked) {
  *static_cast<bool*>(asked) = true;
  return -1;
}

// OpenSSL's own answer: a key, or none, and whether it asked for a passphrase.
std::pair<bool, bool> OpenSslReads(const std::string& text) {
  BIO* in = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
  bool asked = false;
  Pkey key(PEM_read_bio_PrivateKey(in, nullptr, Refuse, &asked));
  BIO_free(in);
  return {key != nullptr, asked};
}

struct Encodings {
  std::string pkcs8, traditional, pub, encrypted_pkcs8, encrypted_traditional;
};

Encodings Encode(EVP_PKEY* key) {
  static char pass[] = "passphrase";
  Encodings e;
  e.pkcs8 = Pem([&](BIO* b) { return PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); });
  e.pub = Pem([&](BIO* b) { return PEM_write_bio_PUBKEY(b, key); });
  e.encrypted_pkcs8 = Pem(
      [&](BIO* b) { return PEM_write_bio_PKCS8PrivateKey(b, key, EVP_aes_256_cbc(), pass, 10, nullptr, nullptr); });
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_ED25519) {  // Ed25519 has no traditional form
    e.traditional = Pem([&](BIO* b) {
      return PEM_write_bio_PrivateKey_traditional(b, key, nullptr, nullptr, 0, nullptr, nullptr);
    });
    e.encrypted_traditional = Pem([&](BIO* b) {
      return PEM_write_bio_PrivateKey_traditional(b, key, EVP_aes_128_cbc(), reinterpret_cast<unsigned char*>(pass),
                                                  10, nullptr, nullptr);
    });
  }
  return e;
}

class PrivateKeyTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  testing::TestCa ca_{dir_.path(), "ca"};
};

TEST_F(PrivateKeyTest, AcceptsAndRefusesWhatOpenSslsOwnReaderDoes) {
  std::vector<Pkey> keys;
  keys.emplace_back(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  keys.emplace_back(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(2048)));
  keys.emplace_back(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  const PemPair pair = testing::IssuePair(ca_, "gateway");
  const std::string leaf = pair.chain.substr(0, pair.chain.find("-----END CERTIFICATE-----") + 26);
  const std::string broken = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0w\n"
                             "-----END PRIVATE KEY-----\n";

  std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", ""},
      {"no PEM at all", "hello, not a key\n"},
      {"a chain", pair.chain},
      {"a broken key", broken},
      {"a label without a body", "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n"},
      {"a key without an END line", pair.key.substr(0, pair.key.find("-----END"))},
      {"a chain, then the key", pair.chain + pair.key},
      {"the key, then the chain", pair.key + pair.chain},
      {"the leaf, junk, then the key", leaf + "junk between\n" + pair.key},
      {"a broken key, then a good one", broken + pair.key},
  };
  for (std::size_t i = 0; i < keys.size(); ++i) {
    ASSERT_NE(keys[i], nullptr);
    const Encodings e = Encode(keys[i].get());
    const std::string n = "key " + std::to_string(i) + ": ";
    cases.emplace_back(n + "PKCS#8", e.pkcs8);
    cases.emplace_back(n + "public", e.pub);
    cases.emplace_back(n + "public, then the key", e.pub + e.pkcs8);
    cases.emplace_back(n + "encrypted PKCS#8", e.encrypted_pkcs8);
    cases.emplace_back(n + "encrypted, then a plain key", e.encrypted_pkcs8 + e.pkcs8);
    cases.emplace_back(n + "a plain key, then an encrypted one", e.pkcs8 + e.encrypted_pkcs8);
    if (!e.traditional.empty()) {
      cases.emplace_back(n + "traditional", e.traditional);
      cases.emplace_back(n + "encrypted traditional", e.encrypted_traditional);
      cases.emplace_back(n + "the leaf, then traditional", leaf + e.traditional);
    }
  }
  int accepted = 0;
  int asked = 0;
  for (const auto& [what, text] : cases) {
    const auto [openssl_key, openssl_asked] = OpenSslReads(text);
    const Status seam = ValidatePrivateKeyPem(Secret(text));
    EXPECT_EQ(seam.ok(), openssl_key) << what << ": " << seam.ToString();
    EXPECT_EQ(seam.message() == "the private key is encrypted (passphrases are not supported)", openssl_asked)
        << what << ": " << seam.ToString();
    accepted += openssl_key ? 1 : 0;
    asked += openssl_asked ? 1 : 0;
  }
  // The cases do cover both answers and the passphrase (a check that cannot pass vacuously).
  EXPECT_GE(accepted, 12);
  EXPECT_GE(asked, 8);
}

TEST_F(PrivateKeyTest, APublicKeyIsNoPrivateKey) {
  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(ValidatePrivateKeyPem(Secret(Encode(key.get()).pub)).message(), "no PEM private key found");
}

TEST_F(PrivateKeyTest, TheKeyAfterACertificateInOneFileIsTheOneMatched) {
  const PemPair a = testing::IssuePair(ca_, "a");
  const PemPair b = testing::IssuePair(ca_, "b");
  Result<bool> same = PrivateKeyMatches(Secret(a.chain + a.key), a.chain);
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_TRUE(*same);
  Result<bool> other = PrivateKeyMatches(Secret(a.chain + b.key), a.chain);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_FALSE(*other);
}

// Each thread reads with a decoder of its own: many at once, each gets its own key.
TEST_F(PrivateKeyTest, ManyThreadsReadKeysAtOnce) {
  const PemPair a = testing::IssuePair(ca_, "a");
  const PemPair b = testing::IssuePair(ca_, "b");
  std::vector<std::thread> threads;
  std::vector<int> right(6, 0);
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      const PemPair& mine = t % 2 == 0 ? a : b;
      const PemPair& theirs = t % 2 == 0 ? b : a;
      for (int i = 0; i < 50; ++i) {
        Result<bool> m = PrivateKeyMatches(Secret(mine.key), mine.chain);
        Result<bool> n = PrivateKeyMatches(Secret(theirs.key), mine.chain);
        if (m.ok() && *m && n.ok() && !*n && ValidatePrivateKeyPem(Secret(std::string("junk"))).message() ==
                                                 "no PEM private key found") {
          ++right[static_cast<std::size_t>(t)];
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int r : right) EXPECT_EQ(r, 50);
}

}  // namespace
}  // namespace seam
