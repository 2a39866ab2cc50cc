#pragma once
// Event payloads of the `token` kind (the bookkeeping every kind shares: reconcilers/bookkeeping_events.h).
//
// Each payload is a cereal struct with CEREAL_CLASS_VERSION and a versioned serialize(); a type
// name ("TokenRotated") is never reused for another meaning. Secret values are stored only
// sealed (core/crypto.h KeyRing::Seal, associated data SealContext(stream, version)).

#include <cstdint>
#include <string>

#include "core/status.h"

namespace seam::token {

inline constexpr char kTokenIssued[] = "TokenIssued";
inline constexpr char kTokenRotated[] = "TokenRotated";
inline constexpr char kTokenRevoked[] = "TokenRevoked";
inline constexpr char kTokenAdopted[] = "TokenAdopted";

// TokenIssued / TokenRotated: a new value.
struct TokenValueSet {
  std::string sealed_value;
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(sealed_value); }
};

struct TokenRevoked {
  std::string reason;
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(reason); }
};

// A value found on a side (foreign to the log) taken into the log as the new intended value.
struct TokenAdopted {
  std::string side;          // where it was found
  std::string sealed_value;  // the value, sealed
  std::string reason;        // "authority" (the seam's authority side) or "seamctl adopt"
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(side, sealed_value, reason); }
};

// cereal portable binary encoding of a payload.
std::string Encode(const TokenValueSet& p);
std::string Encode(const TokenRevoked& p);
std::string Encode(const TokenAdopted& p);

// Decoding; a payload that does not parse is Corruption naming the type.
Result<TokenValueSet> DecodeValueSet(const std::string& payload);
// The same into `into`, reusing its string's capacity (a replay decodes a value per event).
Status DecodeValueSet(const std::string& payload, TokenValueSet& into);
Result<TokenRevoked> DecodeRevoked(const std::string& payload);
Result<TokenAdopted> DecodeAdopted(const std::string& payload);

}  // namespace seam::token
