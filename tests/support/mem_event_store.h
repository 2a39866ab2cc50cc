#pragma once
// MemEventStore: an in-memory EventStore for unit tests of logic that needs a log but not a
// file. It keeps the SQLite store's contract (tests/store/event_store_contract.h runs on both):
// gap-free global seq, per-stream versions 1..n, the hash chain of core/hash_chain.h,
// all-or-nothing Append, Conflict naming the stream's version and last actor, and Corruption
// from reads of a row whose hash does not match (its messages say "in-memory log" where the
// SQLite store names its file).
//
// Several handles may share one log (MemEventStore(other.log())), like several connections to
// one file, so tests can race two writers. The log is guarded by a mutex: handles, and even one
// handle, may be used from several threads at once. Nothing is durable; the log lives as long
// as its last handle or watch.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/event_store.h"

namespace seam {

// The events and watches behind one or more MemEventStore handles (opaque).
class MemLog;

class MemEventStore final : public EventStore {
 public:
  // A handle on a fresh, empty log.
  MemEventStore();
  // A handle on `log` (from another handle's log()), which sees and is seen by its appends.
  explicit MemEventStore(std::shared_ptr<MemLog> log);
  ~MemEventStore() override;
  MemEventStore(const MemEventStore&) = delete;
  MemEventStore& operator=(const MemEventStore&) = delete;

  // The log this handle appends to and reads; pass it to MemEventStore(log) for another handle.
  const std::shared_ptr<MemLog>& log() const { return log_; }

  // EventStore. Reads check every returned row's hash, as SqliteEventStore does, and return
  // Corruption ("in-memory log: event seq N of stream S fails its hash check (the row was
  // altered); run `seamctl verify`") at the first altered row.
  // Like SqliteEventStore, it keeps no ownership leases: a checked fence is refused.
  using EventStore::Append;
  Result<AppendResult> Append(const std::string& stream, std::int64_t expected_version,
                              const std::vector<EventDraft>& events, const AppendFence& fence) override;
  Result<std::vector<Event>> ReadStream(const std::string& stream,
                                        std::int64_t from_version = 1) override;
  // `visit` runs outside the log's mutex (it may read this store); the events visited are those
  // of the stream when the scan started.
  Status ScanStream(const std::string& stream, std::int64_t from_version,
                    const std::function<Status(const Event&)>& visit) override;
  Result<std::vector<Event>> ReadAll(std::int64_t from_seq, std::int64_t limit = 0) override;
  Result<std::int64_t> StreamVersion(const std::string& stream) override;
  Result<LogHead> Head() override;
  // The same checks, in the same order, as SqliteEventStore::Verify.
  Result<VerifyReport> Verify() override;
  // `on_append` runs synchronously on the thread of whichever handle appended, after its Append
  // succeeded and outside the log's mutex; if the head is already past `after_seq`, once on the
  // calling thread before WatchAppends returns. The head seqs it is given only increase.
  // Destroying the watch from inside `on_append` deadlocks.
  Result<std::unique_ptr<AppendWatch>> WatchAppends(
      std::int64_t after_seq, std::function<void(std::int64_t)> on_append) override;

  // Damages the stored row `seq` in place: `edit` may change any field (hash included) and
  // nothing is re-hashed, as if the row were edited behind seam's back. The row keeps its place
  // in seq order. Returns false (and calls nothing) when there is no such row.
  bool TamperForTest(std::int64_t seq, const std::function<void(Event&)>& edit);

 private:
  std::shared_ptr<MemLog> log_;
};

}  // namespace seam
