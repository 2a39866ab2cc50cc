#pragma once
// cereal portable-binary encoding of event payloads, shared by every kind's *_events.cc.
// Internal to reconcilers/ (cereal is a private dependency): include only from .cc files.

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

#include <istream>
#include <sstream>
#include <streambuf>
#include <string>

#include "core/status.h"

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
};

// The stream is reused per thread: constructing a std::istream (locale set-up) per event cost
// as much as decoding the event.
inline std::istream& StreamOver(const std::string& bytes) {
  thread_local ViewBuf buf;
  thread_local std::istream in(&buf);
  buf.Point(bytes);
  in.clear();
  return in;
}

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
