#pragma once
// The certificate and the private key of a PEM file, as public facts: a certificate's DER and
// public key, a key's public key. A private key's bytes never leave this file's functions.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seam::discover {

struct PemItem {
  bool certificate = false;  // else a private key
  std::string der;           // certificate: its DER ("" for a key)
  std::string public_key;    // DER SubjectPublicKeyInfo: of the certificate, or of the key
  // certificate: "sha256:<16 hex of the DER> (CN=example.org, not after 2027-03-01T00:00:00Z)",
  // the fingerprint `openssl x509 -fingerprint -sha256` begins with, as seam shows certificates
  std::string detail;
  bool ca = false;          // certificate: basicConstraints CA:TRUE (also `openssl req -x509`'s default)
  int chain_length = 0;     // certificate: the certificates in its file (1: the leaf alone)
};

// The first certificate of `bytes` (the leaf of a chain) and the first unencrypted private key.
// Blocks OpenSSL cannot read are passed over.
std::vector<PemItem> ReadPem(std::string_view bytes);

// One DER certificate (a server presented it); nullopt when OpenSSL cannot read it.
std::optional<PemItem> ReadCertificateDer(std::string_view der);

}  // namespace seam::discover
