#include "reconcilers/value/value_events.h"

#include "reconcilers/payload_codec.h"

CEREAL_CLASS_VERSION(seam::value::ValueSet, 1)
CEREAL_CLASS_VERSION(seam::value::ValueAdopted, 1)
CEREAL_CLASS_VERSION(seam::value::ValueUnset, 1)

namespace seam::value {

std::string Encode(const ValueSet& p) { return payload_codec::Encode(p); }
std::string Encode(const ValueAdopted& p) { return payload_codec::Encode(p); }
std::string Encode(const ValueUnset& p) { return payload_codec::Encode(p); }

Result<ValueSet> DecodeValueSet(const std::string& b) { return payload_codec::Decode<ValueSet>(b, kValueSet); }
Result<ValueAdopted> DecodeAdopted(const std::string& b) { return payload_codec::Decode<ValueAdopted>(b, kValueAdopted); }
Result<ValueUnset> DecodeUnset(const std::string& b) { return payload_codec::Decode<ValueUnset>(b, kValueUnset); }

}  // namespace seam::value
