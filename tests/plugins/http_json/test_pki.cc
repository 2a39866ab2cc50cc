#include "tests/plugins/http_json/test_pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace seam::testing {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::cerr << "test PKI: " << what << " failed\n";
    std::abort();
  }
}

EVP_PKEY* NewKey() {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* key = nullptr;
  Check(ctx != nullptr && EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_CTX_set_group_name(ctx, "P-256") == 1 &&
            EVP_PKEY_generate(ctx, &key) == 1,
        "EC key generation");
  EVP_PKEY_CTX_free(ctx);
  return key;
}

void AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
  Check(ext != nullptr && X509_add_ext(cert, ext, -1) == 1, "adding an extension");
  X509_EXTENSION_free(ext);
}

// An unsigned certificate for `key` named `cn`, issued by `issuer` (itself when null).
X509* NewCert(EVP_PKEY* key, const char* cn, X509* issuer, long serial) {
  X509* cert = X509_new();
  Check(cert != nullptr && X509_set_version(cert, 2) == 1 &&
            ASN1_INTEGER_set(X509_get_serialNumber(cert), serial) == 1 &&
            X509_gmtime_adj(X509_getm_notBefore(cert), -3600) != nullptr &&
            X509_gmtime_adj(X509_getm_notAfter(cert), 86400) != nullptr && X509_set_pubkey(cert, key) == 1,
        "making a certificate");
  X509_NAME* name = X509_get_subject_name(cert);
  Check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1,
                                   0) == 1,
        "setting the subject");
  Check(X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name) == 1, "setting the issuer");
  return cert;
}

void WritePem(const std::filesystem::path& path, X509* cert, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  Check(f != nullptr, "opening a PEM file");
  Check(cert ? PEM_write_X509(f, cert) == 1
             : PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "writing PEM");
  std::fclose(f);
}

}  // namespace

TestCa::TestCa(const std::filesystem::path& dir, const std::string& name)
    : dir_(dir), cert_file_(dir / (name + ".pem")), key_(NewKey()) {
  cert_ = NewCert(key_, ("seam test CA " + name).c_str(), nullptr, 1);
  AddExt(cert_, cert_, NID_basic_constraints, "critical,CA:TRUE");
  AddExt(cert_, cert_, NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExt(cert_, cert_, NID_subject_key_identifier, "hash");
  Check(X509_sign(cert_, key_, EVP_sha256()) > 0, "signing the CA");
  WritePem(cert_file_, cert_, nullptr);
}

TestCa::~TestCa() {
  X509_free(cert_);
  EVP_PKEY_free(key_);
}

TlsFiles TestCa::Issue(const std::string& stem, const std::string& san) const {
  static long serial = 100;
  EVP_PKEY* key = NewKey();
  X509* cert = NewCert(key, stem.c_str(), cert_, ++serial);
  AddExt(cert, cert_, NID_basic_constraints, "critical,CA:FALSE");
  AddExt(cert, cert_, NID_subject_alt_name, san.c_str());
  AddExt(cert, cert_, NID_ext_key_usage, "serverAuth");
  AddExt(cert, cert_, NID_authority_key_identifier, "keyid");
  Check(X509_sign(cert, key_, EVP_sha256()) > 0, "signing a server certificate");
  TlsFiles files{dir_ / (stem + ".pem"), dir_ / (stem + "-key.pem")};
  WritePem(files.cert_chain, cert, nullptr);
  WritePem(files.key, nullptr, key);
  X509_free(cert);
  EVP_PKEY_free(key);
  return files;
}

}  // namespace seam::testing
