#pragma once
// cereal portable-binary encoding of event payloads, shared by every kind's *_events.cc.
// Internal to reconcilers/ (cereal is a private dependency): include only from .cc files.

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

#include <cstdint>
#include <istream>
#include <sstream>
#include <streambuf>
#include <string>

#include "core/status.h"

namespace seam::payload_codec {
class ViewBuf;
ViewBuf& View();
}  // namespace seam::payload_codec

namespace cereal {
// A length prefix read from a payload (a string's bytes, a container's elements) is at most the
// bytes left in it. cereal resizes to what the prefix says before it reads: a damaged or planted
// row claiming 2^60 bytes would otherwise make every reader of the log allocate that (found by
// tests/fuzz event_payload). Chosen over cereal's template for PortableBinaryInputArchive, which
// payload_codec alone uses, as a non-template overload; DecodeInto turns the throw into an error.
inline void CEREAL_SERIALIZE_FUNCTION_NAME(PortableBinaryInputArchive& ar, SizeTag<size_type&>& t);
// A flag is the byte 0 or 1: cereal copies the byte into the bool as it is, and any other value
// is a bool no C++ program may read (found by tests/fuzz event_payload under UBSan).
inline void CEREAL_LOAD_FUNCTION_NAME(PortableBinaryInputArchive& ar, bool& flag) {
  std::uint8_t byte = 0;
  ar.loadBinary<sizeof byte>(&byte, sizeof byte);
  if (byte > 1) throw Exception("a flag of " + std::to_string(byte) + ", neither 0 nor 1");
  flag = byte == 1;
}
}  // namespace cereal

namespace seam::payload_codec {

template <typename T>
std::string Encode(const T& payload) {
  std::ostringstream out(std::ios::binary);
  {
    cereal::PortableBinaryOutputArchive ar(out);
    ar(payload);
  }
  return out.str();
}

// A read-only stream buffer over bytes someone else owns: decoding a payload must not copy it
// (replay decodes every event of a stream).
class ViewBuf : public std::streambuf {
 public:
  void Point(const std::string& bytes) {
    char* p = const_cast<char*>(bytes.data());  // get area only: never written through
    setg(p, p, p + bytes.size());
  }
  std::size_t Remaining() const { return static_cast<std::size_t>(egptr() - gptr()); }
};

// The buffer being decoded on this thread (StreamOver points it).
inline ViewBuf& View() {
  thread_local ViewBuf buf;
  return buf;
}

// The stream is reused per thread: constructing a std::istream (locale set-up) per event cost
// as much as decoding the event.
inline std::istream& StreamOver(const std::string& bytes) {
  thread_local std::istream in(&View());
  View().Point(bytes);
  in.clear();
  return in;
}

}  // namespace seam::payload_codec

inline void cereal::CEREAL_SERIALIZE_FUNCTION_NAME(PortableBinaryInputArchive& ar, SizeTag<size_type&>& t) {
  ar(t.size);
  if (t.size > seam::payload_codec::View().Remaining()) {
    throw Exception("a length of " + std::to_string(t.size) + " with " +
                    std::to_string(seam::payload_codec::View().Remaining()) + " bytes left");
  }
}

namespace seam::payload_codec {

// Decodes into `payload`, whose strings keep their capacity: a replay that decodes every event
// of a long stream into one reused object allocates nothing per event.
template <typename T>
Status DecodeInto(const std::string& bytes, const char* type, T& payload) {
  try {
    std::istream& in = StreamOver(bytes);
    cereal::PortableBinaryInputArchive ar(in);
    ar(payload);
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("payload of a ") + type + " event does not decode: " + e.what());
  }
  return Status::Ok();
}

template <typename T>
Result<T> Decode(const std::string& bytes, const char* type) {
  T payload;
  SEAM_RETURN_IF_ERROR(DecodeInto(bytes, type, payload));
  return payload;
}

}  // namespace seam::payload_codec
