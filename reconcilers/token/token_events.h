#pragma once
// Event payloads of the `token` kind, and payloads shared by every kind (SideRepaired).
//
// Each payload is a cereal struct with CEREAL_CLASS_VERSION and a versioned serialize(); a type
// name ("TokenRotated") is never reused for another meaning. Secret values are stored only
// sealed (core/crypto.h KeyRing::Seal, associated data SealContext(stream, version)).

#include <cstdint>
#include <string>

#include "core/status.h"
#include "reconcilers/drift_events.h"

namespace seam::token {

inline constexpr char kTokenIssued[] = "TokenIssued";
inline constexpr char kTokenRotated[] = "TokenRotated";
inline constexpr char kTokenRevoked[] = "TokenRevoked";
inline constexpr char kTokenAdopted[] = "TokenAdopted";
inline constexpr char kSideRepaired[] = "SideRepaired";
inline constexpr char kSideApplied[] = "SideApplied";
inline constexpr char kSeamFlapping[] = "SeamFlapping";
inline constexpr char kFlappingCleared[] = "FlappingCleared";

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

// A side brought back to the intended state by a repair. Kind-independent.
struct SideRepaired {
  std::string side;
  std::int64_t version_written = 0;  // stream version whose value was written (or removed)
  std::string action;                // "write" | "remove"
  std::string verdict_before;        // "lagging" | "foreign" | "missing"
  std::int64_t held_version = 0;     // the version the side held before, 0 if none/foreign
  std::string fingerprint_before;    // keyed fingerprint of what the side held, "" if nothing
  // Since class version 2: what a `foreign` side held before it was overwritten, sealed (a JSON
  // object of its fields, SealContext(stream, this event's version)), so nothing is lost.
  std::string sealed_before;
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t version) {
    ar(side, version_written, action, verdict_before, held_version, fingerprint_before);
    if (version >= 2) ar(sealed_before);
  }
};

// The seam's repair budget for one side was spent (a writer keeps undoing the repairs):
// repairs stop until `seamctl repair --force`.
struct SeamFlapping {
  std::string side;
  std::int64_t repairs = 0;   // repairs of the side within the window
  std::int64_t window_s = 0;
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(side, repairs, window_s); }
};

// `seamctl repair --force`: repairs resume, the budget starts afresh.
struct FlappingCleared {
  std::string reason;
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(reason); }
};

// An operation's intent confirmed on one side: written (or found already there) and read back.
// Kind-independent. An operation is pending while some side of its seam has no SideApplied (or
// SideRepaired) for the operation's version; the next operation or repair completes it.
struct SideApplied {
  std::string side;
  std::int64_t version = 0;  // the stream version of the operation's intent event
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(side, version); }
};

// Events that record what happened to sides or to the repair budget, not an operation's intent
// (SideApplied, SideRepaired, SeamFlapping, FlappingCleared, and the drift records).
inline bool IsBookkeepingEvent(const std::string& type) {
  return type == kSideApplied || type == kSideRepaired || type == kSeamFlapping || type == kFlappingCleared ||
         drift::IsDriftEvent(type);
}

// cereal portable binary encoding of a payload.
std::string Encode(const TokenValueSet& p);
std::string Encode(const TokenRevoked& p);
std::string Encode(const TokenAdopted& p);
std::string Encode(const SideRepaired& p);
std::string Encode(const SideApplied& p);
std::string Encode(const SeamFlapping& p);
std::string Encode(const FlappingCleared& p);

// Decoding; a payload that does not parse is Corruption naming the type.
Result<TokenValueSet> DecodeValueSet(const std::string& payload);
Result<TokenRevoked> DecodeRevoked(const std::string& payload);
Result<TokenAdopted> DecodeAdopted(const std::string& payload);
Result<SideRepaired> DecodeSideRepaired(const std::string& payload);
Result<SideApplied> DecodeSideApplied(const std::string& payload);
Result<SeamFlapping> DecodeSeamFlapping(const std::string& payload);
Result<FlappingCleared> DecodeFlappingCleared(const std::string& payload);

}  // namespace seam::token
