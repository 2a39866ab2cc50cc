#include "reconcilers/token/token_events.h"

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/string.hpp>

#include <istream>
#include <sstream>
#include <streambuf>

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

// A read-only stream buffer over bytes someone else owns: decoding a payload must not copy it
// (replay decodes every event of a stream).
// The stream is reused per thread: constructing a std::istream (locale set-up) per event cost
// as much as decoding the event.
class ViewBuf : public std::streambuf {
 public:
  void Point(const std::string& bytes) {
    char* p = const_cast<char*>(bytes.data());  // get area only: never written through
    setg(p, p, p + bytes.size());
  }
};

std::istream& StreamOver(const std::string& bytes) {
  thread_local ViewBuf buf;
  thread_local std::istream in(&buf);
  buf.Point(bytes);
  in.clear();
  return in;
}

template <typename T>
Result<T> DecodeAny(const std::string& bytes, const char* type) {
  T payload;
  try {
    std::istream& in = StreamOver(bytes);
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
