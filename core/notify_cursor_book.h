#pragma once
// NotifyCursorBook: how far each [[notify]] target has been given the log (tools/seamd/notifier.h),
// kept beside the log by the store: a file under <state_dir> for SQLite, a table for PostgreSQL,
// so that with many hosts the agent that takes a seam over goes on from where its last owner
// stopped.
//
// A target has a start (the log's head when it was first seen: a new target is not sent the log's
// history) and a cursor per stream (the seq of the stream's last event it was given, or found
// nothing to send for). A stream without a cursor of its own is at the start. Cursors are
// advanced only after a delivery, so a crash sends an event again rather than never (at least
// once; the event's seq is the receiver's idempotency key).
//
// Not events: every delivery would otherwise append to the log it reads.
//
// Thread-compatible: one object is used from one thread at a time.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/status.h"

namespace seam {

class NotifyCursorBook {
 public:
  struct Cursors {
    std::optional<std::int64_t> start;         // nullopt: the target was never seen
    std::map<std::string, std::int64_t> streams;  // by stream
    // Where `stream` stands: its own cursor, else the start (0 when there is none).
    std::int64_t Of(const std::string& stream) const {
      auto it = streams.find(stream);
      return it != streams.end() ? it->second : start.value_or(0);
    }
  };

  virtual ~NotifyCursorBook() = default;

  // Everything kept for `target`.
  virtual Result<Cursors> Load(const std::string& target) = 0;
  // Records `head` as the target's start unless it has one (another agent may have been first);
  // returns the start now kept. Durable when it returns.
  virtual Result<std::int64_t> Begin(const std::string& target, std::int64_t head) = 0;
  // Moves the given streams' cursors forward (never back: a slower agent cannot undo a faster
  // one's progress), in one transaction. Durable when it returns.
  virtual Status Advance(const std::string& target, const std::map<std::string, std::int64_t>& seqs) = 0;
};

}  // namespace seam
