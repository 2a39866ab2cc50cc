#pragma once
// X.509 helpers for the `certificate` kind, shared by the sides that hold or serve certificates
// (pem-file, tls-endpoint) and the reconciler that issues them: parsing a PEM chain into the
// fields seam compares (the leaf's SHA-256 fingerprint and notAfter), checking that a private
// key belongs to the leaf, and making a self-signed certificate.
//
// All through OpenSSL. No I/O, never throws. Messages are one line and never contain key
// material (a certificate is public; a private key is not, and only ever travels as a Secret).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/secret.h"
#include "core/status.h"

namespace seam {

// What seam reads from a certificate chain. Every field describes the leaf (the first
// certificate) except chain_length.
struct CertificateInfo {
  std::string leaf_sha256;       // lower-case hex SHA-256 of the leaf's DER encoding
  std::int64_t not_after = 0;    // Unix seconds
  std::int64_t not_before = 0;   // Unix seconds
  std::string subject_cn;        // the subject's commonName as UTF-8; empty when it has none
  std::string issuer;            // the issuer's name, one line (RFC 2253), at most 256 bytes
  std::vector<std::string> sans; // subjectAltName DNS names and IP addresses, in order (at most 100)
  std::size_t chain_length = 0;  // certificates in the chain, the leaf included
  // 0 when every certificate after the leaf issued the one before it (leaf first, as servers
  // send them); else the 1-based position of the first one that did not.
  std::size_t out_of_order = 0;
  // The certificates after the leaf (intermediates, perhaps a root): each one's SHA-256 (hex),
  // in order, and the earliest of their notAfter times (0 when the chain is the leaf alone).
  std::vector<std::string> rest_sha256;
  std::int64_t rest_not_after = 0;
};

// One or more PEM certificates ("-----BEGIN CERTIFICATE-----"), the leaf first, as a server's
// chain file holds them. Only whitespace may come before, between and after them: anything
// else (explanatory text, a private key block bundled into the file) is refused rather than
// silently skipped. InvalidArgument, one line: "no PEM certificate found", "certificate 2 of
// the chain does not parse", "a PRIVATE KEY block after certificate 1 (only certificates may
// be in a chain)", "data that is not a PEM certificate after certificate 1", ...
Result<CertificateInfo> ParseCertificateChain(std::string_view pem);

// One certificate in DER form (as a TLS peer presents it); chain_length is 1.
Result<CertificateInfo> ParseCertificateDer(std::string_view der);

// Whether the private key in `key_pem` is the key of the chain's leaf certificate.
// InvalidArgument when the chain does not parse (ParseCertificateChain's message) or the key
// does not (ValidatePrivateKeyPem's).
Result<bool> PrivateKeyMatches(const Secret& key_pem, std::string_view chain_pem);

// Ok when `key_pem` holds one PEM private key OpenSSL can load (PKCS#8, or a traditional RSA /
// EC key). InvalidArgument "no PEM private key found", "the private key does not parse", "the
// private key is encrypted (passphrases are not supported)". Never prompts for a passphrase.
Status ValidatePrivateKeyPem(const Secret& key_pem);

// A self-signed certificate and its key, both PEM.
struct SelfSigned {
  std::string chain_pem;  // one certificate
  Secret key_pem;         // PKCS#8
};

// A fresh EC P-256 key and a self-signed v3 certificate for it: subject CN=<common_name>,
// subjectAltName DNS:<common_name>, basicConstraints CA:FALSE, extendedKeyUsage serverAuth and
// clientAuth (no keyUsage, so a client may pin it as its own trust anchor), a random positive
// 127-bit serial, notBefore = now_unix, notAfter = now_unix + days * 86400, signed with
// SHA-256. `common_name` must be a DNS name of 1 to 64 characters (letters, digits, '-', '.',
// '_', '*') and `days` 1 to 36500; InvalidArgument otherwise.
Result<SelfSigned> MakeSelfSignedCertificate(const std::string& common_name, int days,
                                             std::int64_t now_unix);

// "2026-12-01T10:00:00Z" (UTC, RFC 3339 with seconds).
std::string FormatUnixTime(std::int64_t unix_seconds);

// Whole days in a span of `seconds`, to the nearest day (a certificate issued for 90 days a
// moment ago has 90 left, not 89; `--days 5` is 5 days, not 4 days and 23 hours); negative for a
// negative span.
std::int64_t RoundedDays(std::int64_t seconds);

// "5 days", "1 day", "less than a day": a span's length (its absolute value) to the nearest day.
std::string DaysText(std::int64_t seconds);

}  // namespace seam
