#pragma once
// Shared by the certificate-kind suites (pem-file, tls-endpoint): the kind's fields, and PEM
// pairs issued in the test by a real test CA (tests/plugins/http_json/test_pki.h) or made
// self-signed with core/x509.h.

#include <gtest/gtest.h>

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <string>

#include "core/side_options.h"
#include "core/x509.h"
#include "tests/plugins/http_json/test_pki.h"
#include "tests/support/temp_dir.h"

namespace seam::testing {

inline KindFields CertificateKind() {
  return KindFields{"certificate", {"chain", "key", "leaf_sha256", "not_after", "key_matches"}, "leaf_sha256"};
}

inline bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

inline std::int64_t NowUnix() { return static_cast<std::int64_t>(std::time(nullptr)); }

// A chain (leaf then CA) and the leaf's key, as PEM text.
struct PemPair {
  std::string chain;
  std::string key;
};

// A leaf for localhost / 127.0.0.1 issued by `ca`, with the CA certificate after it.
inline PemPair IssuePair(const TestCa& ca, const std::string& stem) {
  TlsFiles files = ca.Issue(stem, "DNS:localhost,IP:127.0.0.1");
  return PemPair{ReadFile(files.cert_chain) + ReadFile(ca.cert_file()), ReadFile(files.key)};
}

// A self-signed pair valid from `now` for `days` days.
inline PemPair SelfSignedPair(const std::string& cn, int days, std::int64_t now) {
  Result<SelfSigned> made = MakeSelfSignedCertificate(cn, days, now);
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  if (!made.ok()) return {};
  return PemPair{made->chain_pem, std::string(made->key_pem.Reveal())};
}

// The leaf fingerprint of `chain`, computed by core/x509.h ("" if it does not parse).
inline std::string LeafSha256(const std::string& chain) {
  Result<CertificateInfo> info = ParseCertificateChain(chain);
  return info.ok() ? info->leaf_sha256 : std::string();
}

}  // namespace seam::testing
