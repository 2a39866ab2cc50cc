#pragma once
// The event model (DESIGN.md "Words"). Events are immutable facts; the log is append-only.

#include <array>
#include <cstdint>
#include <string>

namespace seam {

using Hash = std::array<std::uint8_t, 32>;  // SHA-256

// What a caller hands to EventStore::Append. The store assigns seq, version and the hashes.
struct EventDraft {
  std::string type;     // e.g. "TokenRotated"; never reused for another meaning
  std::string actor;    // who caused it: "seamctl:alice@host", "seamd"
  std::int64_t time_us = 0;  // UTC microseconds
  std::string payload;  // cereal portable binary of the type's payload struct
};

// A stored event. Every field but `hash` is covered by the hash chain (core/hash_chain.h).
struct Event {
  std::int64_t seq = 0;      // global order, 1..n, no gaps
  std::string stream;        // "<kind>/<entity>", e.g. "token/device-42"
  std::int64_t version = 0;  // per stream, 1..n, no gaps
  // The fencing epoch of the ownership lease its writer held (core/ownership.h); 0 when the
  // append needed no fencing. Hash input v2 covers it when it is not 0 (docs/log-format.md).
  std::int64_t epoch = 0;
  std::string type;
  std::int64_t time_us = 0;
  std::string actor;
  std::string payload;
  Hash prev_hash{};  // hash of event seq-1; all zeros for seq 1
  Hash hash{};

  bool operator==(const Event&) const = default;
};

}  // namespace seam
