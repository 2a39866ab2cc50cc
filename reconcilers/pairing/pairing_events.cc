#include "reconcilers/pairing/pairing_events.h"

#include "reconcilers/payload_codec.h"

CEREAL_CLASS_VERSION(seam::pairing::PairingSet, 1)
CEREAL_CLASS_VERSION(seam::pairing::PairingTokenRotated, 1)
CEREAL_CLASS_VERSION(seam::pairing::PairingRemoved, 1)

namespace seam::pairing {

std::string Encode(const PairingSet& p) { return payload_codec::Encode(p); }
std::string Encode(const PairingTokenRotated& p) { return payload_codec::Encode(p); }
std::string Encode(const PairingRemoved& p) { return payload_codec::Encode(p); }

Result<PairingSet> DecodeSet(const std::string& b, const char* type) {
  return payload_codec::Decode<PairingSet>(b, type);
}
Result<PairingTokenRotated> DecodeTokenRotated(const std::string& b) {
  return payload_codec::Decode<PairingTokenRotated>(b, kPairingTokenRotated);
}
Result<PairingRemoved> DecodeRemoved(const std::string& b) {
  return payload_codec::Decode<PairingRemoved>(b, kPairingRemoved);
}

}  // namespace seam::pairing
