#include "reconcilers/token/token_events.h"

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/string.hpp>

#include <sstream>

CEREAL_CLASS_VERSION(seam::token::TokenValueSet, 1)
CEREAL_CLASS_VERSION(seam::token::TokenRevoked, 1)
CEREAL_CLASS_VERSION(seam::token::TokenAdopted, 1)
CEREAL_CLASS_VERSION(seam::token::SideRepaired, 1)

namespace seam::token {
namespace {

template <typename T>
std::string EncodeAny(const T& payload) {
  std::ostringstream out(std::ios::binary);
  {
    cereal::PortableBinaryOutputArchive ar(out);
    ar(payload);
  }
  return out.str();
}

template <typename T>
Result<T> DecodeAny(const std::string& bytes, const char* type) {
  T payload;
  try {
    std::istringstream in(bytes, std::ios::binary);
    cereal::PortableBinaryInputArchive ar(in);
    ar(payload);
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("payload of a ") + type + " event does not decode: " + e.what());
  }
  return payload;
}

}  // namespace

std::string Encode(const TokenValueSet& p) { return EncodeAny(p); }
std::string Encode(const TokenRevoked& p) { return EncodeAny(p); }
std::string Encode(const TokenAdopted& p) { return EncodeAny(p); }
std::string Encode(const SideRepaired& p) { return EncodeAny(p); }

Result<TokenValueSet> DecodeValueSet(const std::string& b) { return DecodeAny<TokenValueSet>(b, "token value"); }
Result<TokenRevoked> DecodeRevoked(const std::string& b) { return DecodeAny<TokenRevoked>(b, kTokenRevoked); }
Result<TokenAdopted> DecodeAdopted(const std::string& b) { return DecodeAny<TokenAdopted>(b, kTokenAdopted); }
Result<SideRepaired> DecodeSideRepaired(const std::string& b) { return DecodeAny<SideRepaired>(b, kSideRepaired); }

}  // namespace seam::token
