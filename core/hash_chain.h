#pragma once
// The hash chain over the event log. The exact byte layout is documented in docs/log-format.md
// and pinned by a byte-for-byte test; changing it is a schema change.

#include <string>

#include "core/event.h"

namespace seam {

// Genesis value for prev_hash of the first event: 32 zero bytes.
inline constexpr Hash kGenesisHash{};

// SHA-256 over every field of `event` except `hash` (see docs/log-format.md): input v1 for an
// event of epoch 0 (every event written before epochs existed, so old chains verify unchanged),
// input v2, which adds the epoch, for any other.
Hash ComputeEventHash(const Event& event);

// Lower-case hex of a hash (64 characters).
std::string HashToHex(const Hash& hash);

// Parses 64 hex characters; false if the input is not exactly that.
bool HashFromHex(const std::string& hex, Hash* out);

}  // namespace seam
