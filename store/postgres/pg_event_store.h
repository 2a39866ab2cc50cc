#pragma once
// PgEventStore: the EventStore on PostgreSQL, for seams that span hosts. Same rows, hash chain
// and sealing as the SQLite log (a chain moves between them byte for byte); the schema is
// store/postgres/pg_schema.h.
//
// Append is one server-side call (seam_append): the client hashes the events on the head it
// last saw, the call locks the head row, checks the stream's expected version (Conflict) and
// that the head is still the one hashed on (else it answers with the new head and the client
// hashes again), inserts, moves the head, notifies, commits. Readers never see a later commit
// with a lower seq: seq is assigned under the head row's lock, which is held until commit.
// Durable when Append returns: the server's synchronous_commit (on by default).
//
// Thread-safety: one object from one thread at a time; WatchAppends uses a connection and a
// thread of its own, LoopWatchAppends a connection driven by the caller's loop.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/event_store.h"

namespace seam {

namespace pg {
class Connection;
class Params;
}  // namespace pg

struct PgOpenOptions {
  bool create_if_missing = false;  // `seamctl init`: create the schema
  bool read_only = false;          // read commands: every transaction read-only; Append refused
  int watch_poll_ms = 1000;        // WatchAppends re-reads the head this often even without NOTIFY
  std::string password;            // [store] password_file's content; empty: libpq's ~/.pgpass
};

class PgEventStore final : public EventStore {
 public:
  // Connects to `url` and checks (or, with create_if_missing, creates) the schema. Refusals are
  // one line naming the database without its password: unreachable (Unavailable), no schema
  // (NotFound: run `seamctl init`), another application's tables or another schema version.
  static Result<std::unique_ptr<PgEventStore>> Open(const std::string& url, const PgOpenOptions& options);

  // A checked fence is checked by seam_append under the head lock against seam_owners.
  using EventStore::Append;
  Result<AppendResult> Append(const std::string& stream, std::int64_t expected_version,
                              const std::vector<EventDraft>& events, const AppendFence& fence) override;
  Result<std::vector<Event>> ReadStream(const std::string& stream, std::int64_t from_version) override;
  Status ScanStream(const std::string& stream, std::int64_t from_version,
                    const std::function<Status(const Event&)>& visit) override;
  Result<std::vector<Event>> ReadAll(std::int64_t from_seq, std::int64_t limit) override;
  Result<std::int64_t> StreamVersion(const std::string& stream) override;
  Result<LogHead> Head() override;
  Result<VerifyReport> Verify() override;
  Result<std::unique_ptr<AppendWatch>> WatchAppends(std::int64_t after_seq,
                                                    std::function<void(std::int64_t)> on_append) override;
  // store/postgres/pg_loop_watch.h: LISTEN on the caller's loop, with no thread.
  std::unique_ptr<LoopAppendWatch> LoopWatchAppends(std::int64_t after_seq) override;

  ~PgEventStore() override;
  // The database, for messages: its URL without a password.
  const std::string& describe() const;

 private:
  PgEventStore(std::string url, std::unique_ptr<pg::Connection> conn, PgOpenOptions options);
  // Rows of a query over seam_events (its ten columns in order), each checked against its own
  // hash unless `check_hashes` is false (Verify checks the chain itself).
  Status ReadRows(const std::string& sql, const pg::Params& params, std::string_view doing,
                  const std::function<Status(Event&, bool well_formed)>& visit, bool check_hashes = true);

  // The rows of seam_events WHERE `where` (its parameters in `base`) whose `key` (seq, or a
  // stream's version) runs from `from` to `upper`, in key order, kBatch keys per query.
  Status ReadPages(const std::string& where, const std::string& key, const pg::Params& base, std::int64_t from,
                   std::int64_t upper, std::string_view doing, const std::function<Status(Event&, bool)>& visit,
                   bool check_hashes = true);

  std::string url_;
  std::unique_ptr<pg::Connection> conn_;
  PgOpenOptions options_;
  LogHead last_head_;  // the head the last append saw: the next one hashes on it first
};

}  // namespace seam
