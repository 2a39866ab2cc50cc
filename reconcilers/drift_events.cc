#include "reconcilers/drift_events.h"

#include "reconcilers/payload_codec.h"

CEREAL_CLASS_VERSION(seam::drift::DriftOpened, 1)
CEREAL_CLASS_VERSION(seam::drift::DriftClosed, 1)
CEREAL_CLASS_VERSION(seam::drift::SideRestarted, 1)

namespace seam::drift {

std::string Encode(const DriftOpened& p) { return payload_codec::Encode(p); }
std::string Encode(const DriftClosed& p) { return payload_codec::Encode(p); }
std::string Encode(const SideRestarted& p) { return payload_codec::Encode(p); }

Result<DriftOpened> DecodeDriftOpened(const std::string& b) {
  return payload_codec::Decode<DriftOpened>(b, kDriftOpened);
}
Result<DriftClosed> DecodeDriftClosed(const std::string& b) {
  return payload_codec::Decode<DriftClosed>(b, kDriftClosed);
}
Result<SideRestarted> DecodeSideRestarted(const std::string& b) {
  return payload_codec::Decode<SideRestarted>(b, kSideRestarted);
}

}  // namespace seam::drift
