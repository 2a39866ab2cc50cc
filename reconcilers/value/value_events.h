#pragma once
// Event payloads of the `value` kind (the bookkeeping every kind shares:
// reconcilers/bookkeeping_events.h). Each payload records whether the value is secret (the
// seam's `secret` key when it was written): a secret value is stored only sealed
// (KeyRing::Seal, associated data SealContext(stream, version)), a plain one as it is.

#include <cstdint>
#include <string>

#include "core/status.h"

namespace seam::value {

inline constexpr char kValueSet[] = "ValueSet";
inline constexpr char kValueAdopted[] = "ValueAdopted";
inline constexpr char kValueUnset[] = "ValueUnset";

// ValueSet: a new value (`value set`, a rotation by `--generate`).
struct ValueSet {
  bool secret = true;
  std::string sealed_value;  // secret: the value, sealed
  std::string plain_value;   // not secret: the value
  bool generated = false;    // drawn by seam (`--generate`), not given
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(secret, sealed_value, plain_value, generated); }
};

// A value found on a side taken into the log as the intended one.
struct ValueAdopted {
  std::string side;
  bool secret = true;
  std::string sealed_value;
  std::string plain_value;
  std::string reason;  // "authority" or "seamctl adopt"
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(side, secret, sealed_value, plain_value, reason); }
};

// No value intended any more (`value unset`, or a removal on a side that may revoke).
struct ValueUnset {
  std::string reason;
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(reason); }
};

std::string Encode(const ValueSet& p);
std::string Encode(const ValueAdopted& p);
std::string Encode(const ValueUnset& p);
// A payload that does not parse is Corruption naming the type.
Result<ValueSet> DecodeValueSet(const std::string& payload);
Result<ValueAdopted> DecodeAdopted(const std::string& payload);
Result<ValueUnset> DecodeUnset(const std::string& payload);

}  // namespace seam::value
