#include "reconcilers/certificate/certificate_events.h"

#include <cereal/types/vector.hpp>

#include "reconcilers/payload_codec.h"

CEREAL_CLASS_VERSION(seam::certificate::CertificateSet, 1)
CEREAL_CLASS_VERSION(seam::certificate::CertificateRevoked, 1)
CEREAL_CLASS_VERSION(seam::certificate::CertificateAdopted, 1)

namespace seam::certificate {

std::string Encode(const CertificateSet& p) { return payload_codec::Encode(p); }
std::string Encode(const CertificateRevoked& p) { return payload_codec::Encode(p); }
std::string Encode(const CertificateAdopted& p) { return payload_codec::Encode(p); }

Result<CertificateSet> DecodeSet(const std::string& b, const char* type) {
  return payload_codec::Decode<CertificateSet>(b, type);
}
Result<CertificateAdopted> DecodeAdopted(const std::string& b) {
  return payload_codec::Decode<CertificateAdopted>(b, kCertificateAdopted);
}
Result<CertificateRevoked> DecodeRevoked(const std::string& b) {
  return payload_codec::Decode<CertificateRevoked>(b, kCertificateRevoked);
}

}  // namespace seam::certificate
