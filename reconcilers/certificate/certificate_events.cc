#include "reconcilers/certificate/certificate_events.h"

#include "reconcilers/payload_codec.h"

CEREAL_CLASS_VERSION(seam::certificate::CertificateSet, 1)
CEREAL_CLASS_VERSION(seam::certificate::CertificateRevoked, 1)

namespace seam::certificate {

std::string Encode(const CertificateSet& p) { return payload_codec::Encode(p); }
std::string Encode(const CertificateRevoked& p) { return payload_codec::Encode(p); }

Result<CertificateSet> DecodeSet(const std::string& b, const char* type) {
  return payload_codec::Decode<CertificateSet>(b, type);
}
Result<CertificateRevoked> DecodeRevoked(const std::string& b) {
  return payload_codec::Decode<CertificateRevoked>(b, kCertificateRevoked);
}

}  // namespace seam::certificate
