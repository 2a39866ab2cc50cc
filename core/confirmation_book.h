#pragma once
// ConfirmationBook: when each side of each seam was last seen holding the intended state.
//
// Not events: a healthy seam is confirmed on every pass, and recording that in the log would
// grow it for ever. The book only narrows a drift's bracket (DriftOpened.last_in_sync_at): a
// confirmation lost in a crash leaves an older one, which is still true ("in sync at least
// then"), so the book may buffer writes (Flush) instead of making each one durable.
//
// Thread-compatible: one object is used from one thread at a time.

#include <cstdint>
#include <string>

#include "core/status.h"

namespace seam {

class ConfirmationBook {
 public:
  virtual ~ConfirmationBook() = default;

  // When `side` of `stream` was last confirmed (Unix microseconds), 0 when never or unknown.
  // A book that cannot be read answers 0 (and says why in Flush).
  virtual std::int64_t LastInSync(const std::string& stream, const std::string& side) = 0;

  // `side` of `stream` holds the intended state at `at_us`. Kept in memory until Flush.
  virtual void Confirm(const std::string& stream, const std::string& side, std::int64_t at_us) = 0;

  // Writes what Confirm kept, in one transaction. An error names the book's file; the
  // confirmations stay buffered for the next Flush.
  virtual Status Flush() = 0;
};

}  // namespace seam
