#pragma once
// Event payloads of the `pairing` kind: a device paired to a gateway, with fields `device_id`,
// `token` (secret, sealed like a token), `gateway_url` and `paired_at` (RFC 3339 UTC).
// Each payload is a cereal struct with a class version; type names are never reused.

#include <cstdint>
#include <string>

#include "core/status.h"

namespace seam::pairing {

inline constexpr char kPairingCreated[] = "PairingCreated";
inline constexpr char kPairingTokenRotated[] = "PairingTokenRotated";
inline constexpr char kPairingAdopted[] = "PairingAdopted";
inline constexpr char kPairingRemoved[] = "PairingRemoved";

// PairingCreated and PairingAdopted: a whole pairing. `side` and `reason` are set for adoptions.
struct PairingSet {
  std::string device_id;
  std::string sealed_token;  // sealed at this event's version
  std::string gateway_url;   // "" when not given
  std::string paired_at;     // RFC 3339 UTC
  std::string side;
  std::string reason;
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) {
    ar(device_id, sealed_token, gateway_url, paired_at, side, reason);
  }
};

// A new token for the same device (`seamctl token rotate` on a pairing seam).
struct PairingTokenRotated {
  std::string sealed_token;
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(sealed_token); }
};

struct PairingRemoved {
  std::string reason;
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(reason); }
};

std::string Encode(const PairingSet& p);
std::string Encode(const PairingTokenRotated& p);
std::string Encode(const PairingRemoved& p);

Result<PairingSet> DecodeSet(const std::string& payload, const char* type);
Result<PairingTokenRotated> DecodeTokenRotated(const std::string& payload);
Result<PairingRemoved> DecodeRemoved(const std::string& payload);

}  // namespace seam::pairing
