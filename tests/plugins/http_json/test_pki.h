#pragma once
// A test certificate authority made with OpenSSL in the test (EC P-256 keys), and server
// certificates it issues, written as PEM files.

#include <openssl/types.h>

#include <filesystem>
#include <string>

#include "tests/plugins/http_json/test_server.h"

namespace seam::testing {

class TestCa {
 public:
  // Makes the CA's key and self-signed certificate; writes `dir`/`name`.pem.
  TestCa(const std::filesystem::path& dir, const std::string& name);
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  const std::filesystem::path& cert_file() const { return cert_file_; }

  // A server certificate with subjectAltName `san` ("DNS:localhost,IP:127.0.0.1"), signed by
  // this CA: writes `dir`/`stem`.pem (the leaf) and `dir`/`stem`-key.pem.
  TlsFiles Issue(const std::string& stem, const std::string& san) const;

 private:
  std::filesystem::path dir_;
  std::filesystem::path cert_file_;
  EVP_PKEY* key_ = nullptr;
  X509* cert_ = nullptr;
};

}  // namespace seam::testing
