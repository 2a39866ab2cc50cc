// core/x509.h against certificates made in the test by a real test CA and by
// MakeSelfSignedCertificate; fingerprints are checked against an independent computation
// (DER re-encoded by OpenSSL, hashed by core/crypto.h).

#include "core/x509.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <string>

#include "core/crypto.h"
#include "tests/plugins/pem_file/cert_fixture.h"

namespace seam {
namespace {

using testing::Contains;
using testing::PemPair;

// DER of the first certificate in `pem`, decoded by OpenSSL directly.
std::string FirstDer(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) return {};
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  X509_free(cert);
  return out;
}

class X509Test : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  testing::TestCa ca_{dir_.path(), "ca"};
};

TEST_F(X509Test, ParsesAChainLeafFirst) {
  PemPair pair = testing::IssuePair(ca_, "gateway");
  Result<CertificateInfo> info = ParseCertificateChain(pair.chain);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->chain_length, 2u);
  EXPECT_EQ(info->subject_cn, "gateway");
  EXPECT_EQ(info->leaf_sha256, Sha256Hex(FirstDer(pair.chain)));
  EXPECT_EQ(info->leaf_sha256.size(), 64u);
  // The test CA issues for [now - 1 h, now + 1 day].
  const std::int64_t now = testing::NowUnix();
  EXPECT_NEAR(static_cast<double>(info->not_before), static_cast<double>(now - 3600), 60);
  EXPECT_NEAR(static_cast<double>(info->not_after), static_cast<double>(now + 86400), 60);
  // The issuer in one line, and the leaf's DNS names and IP addresses.
  EXPECT_EQ(info->issuer, "CN=seam test CA ca");
  // What comes after the leaf: the CA here, its digest and expiry.
  ASSERT_EQ(info->rest_sha256.size(), 1U);
  EXPECT_EQ(info->rest_sha256.front(), Sha256Hex(FirstDer(testing::ReadFile(ca_.cert_file()))));
  EXPECT_NEAR(static_cast<double>(info->rest_not_after), static_cast<double>(now + 86400), 60);
  EXPECT_EQ(info->out_of_order, 0U);
  EXPECT_EQ(info->sans, (std::vector<std::string>{"localhost", "127.0.0.1"}));
}

TEST_F(X509Test, SelfSignedHasExactValidityAndTheNameInItsSan) {
  const std::int64_t now = 1'796'119'200;  // 2026-12-01T10:00:00Z
  Result<SelfSigned> made = MakeSelfSignedCertificate("gw.example.test", 90, now);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  Result<CertificateInfo> info = ParseCertificateChain(made->chain_pem);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->chain_length, 1u);
  EXPECT_EQ(info->subject_cn, "gw.example.test");
  EXPECT_EQ(info->not_before, now);
  EXPECT_EQ(info->not_after, now + 90 * 86400);
  EXPECT_EQ(FormatUnixTime(info->not_after), "2027-03-01T10:00:00Z");
  EXPECT_EQ(info->issuer, "CN=gw.example.test");
  EXPECT_EQ(info->sans, (std::vector<std::string>{"gw.example.test"}));

  BIO* bio = BIO_new_mem_buf(made->chain_pem.data(), static_cast<int>(made->chain_pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_host(cert, "gw.example.test", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_issued(cert, cert), X509_V_OK);  // self-signed
  X509_free(cert);

  Result<bool> matches = PrivateKeyMatches(made->key_pem, made->chain_pem);
  ASSERT_TRUE(matches.ok()) << matches.status().ToString();
  EXPECT_TRUE(*matches);
  EXPECT_TRUE(Contains(std::string(made->key_pem.Reveal()), "-----BEGIN PRIVATE KEY-----"));
}

TEST_F(X509Test, SelfSignedCertificatesDiffer) {
  Result<SelfSigned> a = MakeSelfSignedCertificate("gw", 1, 1'796'119'200);
  Result<SelfSigned> b = MakeSelfSignedCertificate("gw", 1, 1'796'119'200);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(testing::LeafSha256(a->chain_pem), testing::LeafSha256(b->chain_pem));
  EXPECT_FALSE(a->key_pem.Equals(b->key_pem));
}

TEST_F(X509Test, LongValidityUsesGeneralizedTime) {
  // Past 2049 a certificate's time is a GeneralizedTime rather than a UTCTime.
  const std::int64_t now = 1'796'119'200;
  Result<SelfSigned> made = MakeSelfSignedCertificate("gw", 36500, now);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  Result<CertificateInfo> info = ParseCertificateChain(made->chain_pem);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->not_after, now + std::int64_t{36500} * 86400);
}

TEST_F(X509Test, SelfSignedRefusesBadArguments) {
  EXPECT_EQ(MakeSelfSignedCertificate("", 1, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeSelfSignedCertificate("a,b", 1, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeSelfSignedCertificate("has space", 1, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeSelfSignedCertificate(std::string(65, 'a'), 1, 0).status().code(), StatusCode::kInvalidArgument);
  Status days = MakeSelfSignedCertificate("gw", 0, 0).status();
  EXPECT_EQ(days.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(days.message(), "got 0")) << days.message();
}

TEST_F(X509Test, WhitespaceAndCrlfAroundCertificatesAreFine) {
  PemPair pair = testing::IssuePair(ca_, "gateway");
  std::string crlf;
  for (char c : pair.chain) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  Result<CertificateInfo> info = ParseCertificateChain("\n\n  " + crlf + "\r\n\t\n");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->chain_length, 2u);
  EXPECT_EQ(info->leaf_sha256, testing::LeafSha256(pair.chain));
}

TEST_F(X509Test, ChainErrorsAreOneLineAndSayWhere) {
  PemPair pair = testing::IssuePair(ca_, "gateway");
  const std::string leaf = pair.chain.substr(0, pair.chain.find("-----END CERTIFICATE-----") + 26);
  auto error = [](const std::string& pem) {
    Result<CertificateInfo> info = ParseCertificateChain(pem);
    EXPECT_FALSE(info.ok());
    EXPECT_EQ(info.status().code(), StatusCode::kInvalidArgument);
    EXPECT_FALSE(Contains(info.status().message(), "\n"));
    return info.status().message();
  };
  EXPECT_EQ(error(""), "no PEM certificate found");
  EXPECT_EQ(error(" \n"), "no PEM certificate found");
  EXPECT_EQ(error("hello"), "no PEM certificate found");
  EXPECT_EQ(error(pair.key), "no PEM certificate found (the first PEM block is PRIVATE KEY)");
  EXPECT_EQ(error(leaf + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
            "certificate 2 of the chain does not parse");
  EXPECT_EQ(error(leaf + "trailing garbage\n"), "data that is not a PEM certificate after certificate 1");
  EXPECT_EQ(error("Certificate:\n  Data: ...\n" + leaf), "data that is not a PEM certificate before the first certificate");
  EXPECT_EQ(error(leaf + pair.key), "a PRIVATE KEY block after certificate 1 (only certificates may be in a chain)");
  EXPECT_EQ(error(leaf.substr(0, leaf.size() - 26)), "certificate 1 of the chain has no END line");
  // The key's bytes never show, even when the key is where the chain should be.
  EXPECT_FALSE(Contains(error(leaf + pair.key), pair.key.substr(40, 20)));
}

TEST_F(X509Test, ParsesDer) {
  PemPair pair = testing::IssuePair(ca_, "gateway");
  const std::string der = FirstDer(pair.chain);
  Result<CertificateInfo> info = ParseCertificateDer(der);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->leaf_sha256, testing::LeafSha256(pair.chain));
  EXPECT_EQ(info->chain_length, 1u);
  EXPECT_FALSE(ParseCertificateDer(der + "x").ok());
  EXPECT_FALSE(ParseCertificateDer(der.substr(0, der.size() / 2)).ok());
  EXPECT_FALSE(ParseCertificateDer("").ok());
}

TEST_F(X509Test, KeyMatchesOnlyItsOwnLeaf) {
  PemPair a = testing::IssuePair(ca_, "a");
  PemPair b = testing::IssuePair(ca_, "b");
  Result<bool> same = PrivateKeyMatches(Secret(a.key), a.chain);
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_TRUE(*same);
  Result<bool> other = PrivateKeyMatches(Secret(b.key), a.chain);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_FALSE(*other);
  // A chain that does not parse is reported as the chain's error.
  EXPECT_EQ(PrivateKeyMatches(Secret(a.key), "junk").status().message(), "no PEM certificate found");
}

TEST_F(X509Test, KeyErrorsNeverShowTheKey) {
  PemPair pair = testing::IssuePair(ca_, "gateway");
  const std::string body = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSECRETSECRETSECRET";
  const std::string broken = "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n";
  Status s = ValidatePrivateKeyPem(Secret(broken));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "the private key does not parse");
  Result<bool> r = PrivateKeyMatches(Secret(broken), pair.chain);
  EXPECT_EQ(r.status().message(), "the private key does not parse");

  EXPECT_EQ(ValidatePrivateKeyPem(Secret(std::string("nothing here"))).message(), "no PEM private key found");
  EXPECT_EQ(ValidatePrivateKeyPem(Secret(pair.chain)).message(), "no PEM private key found");
  EXPECT_TRUE(ValidatePrivateKeyPem(Secret(pair.key)).ok());
}

TEST_F(X509Test, EncryptedKeyIsRefusedWithoutAPrompt) {
  PemPair pair = testing::IssuePair(ca_, "gateway");
  BIO* in = BIO_new_mem_buf(pair.key.data(), static_cast<int>(pair.key.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO_free(in);
  ASSERT_NE(key, nullptr);
  BIO* out = BIO_new(BIO_s_mem());
  static char pass[] = "passphrase";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(out, key, EVP_aes_256_cbc(), pass, 10, nullptr, nullptr), 1);
  std::string encrypted(BIO_ctrl_pending(out), '\0');
  BIO_read(out, encrypted.data(), static_cast<int>(encrypted.size()));
  BIO_free(out);
  EVP_PKEY_free(key);
  ASSERT_TRUE(Contains(encrypted, "ENCRYPTED PRIVATE KEY"));
  EXPECT_EQ(ValidatePrivateKeyPem(Secret(encrypted)).message(),
            "the private key is encrypted (passphrases are not supported)");
}

TEST(FormatUnixTimeTest, Rfc3339Utc) {
  EXPECT_EQ(FormatUnixTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatUnixTime(1'796'119'200), "2026-12-01T10:00:00Z");
  EXPECT_EQ(FormatUnixTime(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatUnixTime(951'782'400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(FormatUnixTime(4'102'444'799), "2099-12-31T23:59:59Z");
}

}  // namespace
}  // namespace seam
