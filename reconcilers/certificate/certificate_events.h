#pragma once
// Event payloads of the `certificate` kind: a certificate chain and its private key (sealed).
// Record fields: chain (PEM, leaf first), key (PEM, secret), leaf_sha256 (hex SHA-256 of the
// leaf's DER), not_after (Unix seconds), key_matches ("true": the log only records pairs whose
// key matches). Sides observe leaf_sha256 and not_after (and pem-file key_matches).

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace seam::certificate {

inline constexpr char kCertificateIssued[] = "CertificateIssued";
inline constexpr char kCertificateRenewed[] = "CertificateRenewed";
inline constexpr char kCertificateRevoked[] = "CertificateRevoked";
inline constexpr char kCertificateAdopted[] = "CertificateAdopted";

// CertificateIssued / CertificateRenewed.
struct CertificateSet {
  std::string chain_pem;
  std::string sealed_key;     // sealed at this event's version
  std::string leaf_sha256;    // lower-case hex
  std::int64_t not_after = 0; // Unix seconds
  std::string subject_cn;
  std::string source;         // "import" | "self-signed"
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) {
    ar(chain_pem, sealed_key, leaf_sha256, not_after, subject_cn, source);
  }
};

// A pair taken from a side (authority = <pem side>, `seamctl adopt`, `wrap`): what another tool
// (certbot, acme.sh, step) renewed. Checked before it is recorded: the chain parses leaf first,
// the key is the leaf's, the leaf has not expired (certificate_kind.h CheckAdoptable).
struct CertificateAdopted {
  std::string chain_pem;
  std::string sealed_key;     // sealed at this event's version
  std::string leaf_sha256;    // lower-case hex
  std::int64_t not_after = 0; // Unix seconds
  std::string subject_cn;
  std::vector<std::string> sans;
  std::string issuer;
  std::string side;           // the side it was taken from
  std::string reason;         // "authority", "seamctl adopt", "seamctl wrap: …"
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) {
    ar(chain_pem, sealed_key, leaf_sha256, not_after, subject_cn, sans, issuer, side, reason);
  }
};

struct CertificateRevoked {
  std::string reason;
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(reason); }
};

std::string Encode(const CertificateSet& p);
std::string Encode(const CertificateRevoked& p);
std::string Encode(const CertificateAdopted& p);
Result<CertificateSet> DecodeSet(const std::string& payload, const char* type);
Result<CertificateRevoked> DecodeRevoked(const std::string& payload);
Result<CertificateAdopted> DecodeAdopted(const std::string& payload);

}  // namespace seam::certificate
