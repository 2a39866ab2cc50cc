#pragma once
// EventStore: the append-only, hash-chained log behind every seam.
//
// Thread-safety: an EventStore object is used from one thread at a time. Several processes may
// open the same store concurrently; Append is atomic and serialised by the store.
// Durability: when Append returns ok, the events are on stable storage.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace seam {

struct AppendResult {
  std::int64_t first_seq = 0;
  std::int64_t last_seq = 0;
  std::int64_t last_version = 0;  // the stream's version after the append
};

// When the chain is broken, events_checked and head_* describe the intact prefix before
// first_bad_seq.
struct VerifyReport {
  bool intact = true;
  std::int64_t events_checked = 0;
  std::int64_t first_bad_seq = 0;  // 0 when intact
  std::string reason;              // why first_bad_seq is bad, e.g. "hash mismatch"
  Hash head_hash{};                // hash of the last event checked
  std::int64_t head_seq = 0;
};

// How an append stands to its writer's ownership lease (core/ownership.h), for seams that
// several hosts' agents share. The default (epoch 0) is an append that needs no fencing.
struct AppendFence {
  // Recorded in every event of the append, and covered by its hash (hash input v2).
  std::int64_t epoch = 0;
  // When epoch > 0: the append is refused in its own transaction (FailedPrecondition naming the
  // current holder and epoch, nothing written) unless `epoch` is the current epoch of the
  // appended stream's ownership lease and that lease has not expired by the store's clock. So an
  // owner paused (SIGSTOP) or cut off (a partition) past its lease records nothing when it wakes.
  // false records the epoch only: `store copy`, moving a chain whose leases are history.
  bool check = true;
};

struct LogHead {
  std::int64_t seq = 0;  // 0 when the log is empty
  Hash hash{};           // kGenesisHash when empty
};

// Held by whoever asked to be woken by appends (EventStore::WatchAppends); destroying it stops
// the wake-ups (it waits for a call in progress to return).
class AppendWatch {
 public:
  virtual ~AppendWatch() = default;
};

// An append watch driven by the caller's event loop, for a store whose wake-ups come over a
// socket (PostgreSQL's LISTEN): no thread of the store's, and no call that blocks. The caller
// waits for what Next() asks (the socket readable or writable, or only the timeout), then calls
// Step. It only wakes, as AppendWatch does: the caller re-reads from its own last seq.
class LoopAppendWatch {
 public:
  struct Wait {
    int fd = -1;         // -1: no socket now (connecting again later): wait for the timeout only
    bool write = false;  // wait for the socket to be writable (while connecting), else readable
    std::chrono::milliseconds timeout{1000};  // call Step(true) after this at the latest
  };
  virtual ~LoopAppendWatch() = default;
  // What to wait for before the next Step. The socket may differ from one call to the next (a
  // reconnection): stop waiting on the old one before calling Step.
  virtual Wait Next() const = 0;
  // Does what is due without blocking (reads what arrived, sends a query, reconnects);
  // `timed_out`: Next's timeout passed without the socket becoming ready. Returns the log's head
  // seq when it moved since the last one returned (or since `after_seq`).
  virtual std::optional<std::int64_t> Step(bool timed_out) = 0;
  // Why the watch is not connected now ("" when it is), for a log line when that changes.
  virtual std::string Trouble() const = 0;
};

// InvalidArgument unless the arguments meet Append's REQUIRES; every store calls it
// first.
Status CheckAppendArgs(const std::string& stream, std::int64_t expected_version,
                       const std::vector<EventDraft>& events, const AppendFence& fence);

class EventStore {
 public:
  virtual ~EventStore() = default;

  // Appends `events` to `stream` in one durable transaction, as versions
  // expected_version+1 .. expected_version+n, each carrying fence.epoch.
  // REQUIRES: !events.empty(); expected_version >= 0 (0 = the stream must not exist yet);
  // fence.epoch >= 0 (else InvalidArgument, see CheckAppendArgs).
  // Returns Conflict, naming the stream's current version and the actor of its last event,
  // when the stream's version is not expected_version; FailedPrecondition when the fence is
  // checked and not current (AppendFence), or the store keeps no ownership leases. Nothing is
  // written on any error. Implementations also bring the unfenced overload into scope
  // (`using EventStore::Append;`).
  virtual Result<AppendResult> Append(const std::string& stream, std::int64_t expected_version,
                                      const std::vector<EventDraft>& events, const AppendFence& fence) = 0;
  // An append that needs no fencing (epoch 0).
  Result<AppendResult> Append(const std::string& stream, std::int64_t expected_version,
                              const std::vector<EventDraft>& events) {
    return Append(stream, expected_version, events, AppendFence{});
  }

  // Events of `stream` with version >= from_version, in version order.
  virtual Result<std::vector<Event>> ReadStream(const std::string& stream,
                                                std::int64_t from_version = 1) = 0;

  // Calls `visit` for each event of `stream` with version >= from_version, in version order,
  // without materialising them: the Event passed is reused between calls (copy what you keep).
  // Stops at, and returns, the first non-ok Status from `visit`. `visit` must not use this
  // store: the next rows may be being read meanwhile.
  virtual Status ScanStream(const std::string& stream, std::int64_t from_version,
                            const std::function<Status(const Event&)>& visit) = 0;

  // Up to `limit` events with seq >= from_seq, in seq order (limit <= 0: no limit).
  virtual Result<std::vector<Event>> ReadAll(std::int64_t from_seq, std::int64_t limit = 0) = 0;

  // Current version of `stream` (0 if it has no events).
  virtual Result<std::int64_t> StreamVersion(const std::string& stream) = 0;

  // The last event's seq and hash.
  virtual Result<LogHead> Head() = 0;

  // Recomputes the whole chain. A broken chain is an ok Result with intact=false; a non-ok
  // Result means the check itself could not run.
  virtual Result<VerifyReport> Verify() = 0;

  // Wakes the caller when the log's head moves past `after_seq`: `on_append(head_seq)` is called
  // for every head seen to differ from the last one seen (past it; or back, when a log was
  // restored from a backup under a store that can see that), whoever appended (this object, another one, another
  // process). It only wakes: the caller re-reads from its own last seq, so a missed or merged
  // wake-up loses nothing. It runs on a thread of the store's (or the appender's), never
  // concurrently with itself; it must be quick and must not call this store (post and return).
  // A store that can only poll says how often in `poll_interval` (SQLite: the head is read every
  // poll_interval on a connection of the watch's own). The watch lives until the returned object
  // is destroyed and may outlive nothing: destroy it before the store.
  virtual Result<std::unique_ptr<AppendWatch>> WatchAppends(
      std::int64_t after_seq, std::function<void(std::int64_t head_seq)> on_append) = 0;

  // The same, driven by the caller's event loop (LoopAppendWatch) for a store that can; null for
  // one that cannot (use WatchAppends). Connects on the first Step, never in this call.
  virtual std::unique_ptr<LoopAppendWatch> LoopWatchAppends(std::int64_t after_seq) {
    (void)after_seq;
    return nullptr;
  }
};

}  // namespace seam
