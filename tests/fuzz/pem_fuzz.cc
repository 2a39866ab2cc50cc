// PEM and DER as certificate sides and tls-endpoint probes read them (core/x509.h, OpenSSL):
// the input as a certificate chain, as one DER certificate, as a private key, and as a key and
// a chain in one file. Checked: what a parse reports stays within its stated limits (a 64-hex
// leaf digest, at most 100 names, an issuer of at most 256 bytes, a chain of at least one).
#include <string>

#include "core/secret.h"
#include "core/x509.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

void CheckInfo(const seam::CertificateInfo& info) {
  using seam::fuzz::FuzzFail;
  if (info.leaf_sha256.size() != 64 || info.leaf_sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
    FuzzFail("a leaf digest that is not 64 lower-case hex digits");
  }
  if (info.sans.size() > 100) FuzzFail("more than 100 subjectAltNames kept");
  if (info.issuer.size() > 256) FuzzFail("an issuer over 256 bytes");
  if (info.chain_length < 1) FuzzFail("a chain of no certificate");
  if (info.rest_sha256.size() + 1 > info.chain_length) FuzzFail("more digests than certificates");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in = seam::fuzz::AsText(data, size);
  if (seam::Result<seam::CertificateInfo> chain = seam::ParseCertificateChain(in); chain.ok()) CheckInfo(*chain);
  if (seam::Result<seam::CertificateInfo> der = seam::ParseCertificateDer(in); der.ok()) {
    CheckInfo(*der);
    if (der->chain_length != 1) seam::fuzz::FuzzFail("one DER certificate counted as a chain");
  }
  const seam::Secret key{in};
  (void)seam::ValidatePrivateKeyPem(key);
  (void)seam::PrivateKeyMatches(key, in);
  return 0;
}
