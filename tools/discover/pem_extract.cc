#include "tools/discover/pem_extract.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

#include "core/crypto.h"
#include "core/x509.h"

namespace seam::discover {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

std::string PublicKeyDer(EVP_PKEY* key) {
  unsigned char* out = nullptr;
  const int n = i2d_PUBKEY(key, &out);
  if (n <= 0) return "";
  std::string der(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
  OPENSSL_free(out);
  return der;
}

std::string CommonName(X509* cert) {
  char cn[256] = {0};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn) <= 0) return "";
  return cn;
}

std::string NotAfter(X509* cert) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) return "";
  return FormatUnixTime(static_cast<std::int64_t>(timegm(&tm)));
}

// The item of a certificate; nullopt for one OpenSSL cannot read or without a public key.
std::optional<PemItem> CertificateItem(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return std::nullopt;
  PemItem item;
  item.certificate = true;
  item.ca = (X509_get_extension_flags(cert.get()) & EXFLAG_CA) != 0;
  item.chain_length = 1;
  item.der = std::string(der);
  item.public_key = PublicKeyDer(X509_get0_pubkey(cert.get()));
  item.detail = "sha256:" + Sha256Hex(item.der).substr(0, 16) + " (CN=" + CommonName(cert.get()) + ", not after " +
                NotAfter(cert.get()) + ")";
  if (item.public_key.empty()) return std::nullopt;
  return item;
}

}  // namespace

std::optional<PemItem> ReadCertificateDer(std::string_view der) {
  std::optional<PemItem> item = CertificateItem(der);
  ERR_clear_error();
  return item;
}

std::vector<PemItem> ReadPem(std::string_view bytes) {
  std::vector<PemItem> out;
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
  if (!bio) return out;
  bool key_seen = false;
  int certificates = 0;
  std::size_t leaf = 0;  // its index in `out`
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) break;
    const std::string block = name;
    const unsigned char* p = data;
    if (block == "CERTIFICATE" || block == "TRUSTED CERTIFICATE") {
      // The first one is the leaf; the rest of a chain is not a seam of its own, only counted.
      if (certificates++ == 0) {
        std::optional<PemItem> item =
            CertificateItem(std::string_view(reinterpret_cast<const char*>(data), static_cast<std::size_t>(len)));
        if (item) {
          leaf = out.size();
          out.push_back(std::move(*item));
        } else {
          certificates = -1000;  // no leaf: nothing to count for
        }
      }
    } else if (!key_seen && (block == "PRIVATE KEY" || block == "RSA PRIVATE KEY" || block == "EC PRIVATE KEY")) {
      key_seen = true;
      std::unique_ptr<EVP_PKEY, PkeyFree> key(d2i_AutoPrivateKey(nullptr, &p, len));
      if (key) {
        PemItem item;
        item.public_key = PublicKeyDer(key.get());
        if (!item.public_key.empty()) out.push_back(std::move(item));
      }
    }
    OPENSSL_cleanse(data, static_cast<std::size_t>(len));
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
  }
  ERR_clear_error();  // the end of the input is reported as an error (no start line)
  if (certificates > 0) out[leaf].chain_length = certificates;
  return out;
}

}  // namespace seam::discover
