#include "reconcilers/token/token_events.h"

#include "reconcilers/payload_codec.h"

CEREAL_CLASS_VERSION(seam::token::TokenValueSet, 1)
CEREAL_CLASS_VERSION(seam::token::TokenRevoked, 1)
CEREAL_CLASS_VERSION(seam::token::TokenAdopted, 1)

namespace seam::token {

template <typename T>
Result<T> DecodeAny(const std::string& bytes, const char* type) {
  return payload_codec::Decode<T>(bytes, type);
}
template <typename T>
std::string EncodeAny(const T& p) {
  return payload_codec::Encode(p);
}

std::string Encode(const TokenValueSet& p) { return EncodeAny(p); }
std::string Encode(const TokenRevoked& p) { return EncodeAny(p); }
std::string Encode(const TokenAdopted& p) { return EncodeAny(p); }

Result<TokenValueSet> DecodeValueSet(const std::string& b) { return DecodeAny<TokenValueSet>(b, "token value"); }
Status DecodeValueSet(const std::string& b, TokenValueSet& into) {
  return payload_codec::DecodeInto(b, "token value", into);
}
Result<TokenRevoked> DecodeRevoked(const std::string& b) { return DecodeAny<TokenRevoked>(b, kTokenRevoked); }
Result<TokenAdopted> DecodeAdopted(const std::string& b) { return DecodeAny<TokenAdopted>(b, kTokenAdopted); }

}  // namespace seam::token
