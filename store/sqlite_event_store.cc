// SqliteEventStore: appends, reads and Verify. Open and header validation live in
// sqlite_open.cc; the shared Impl in sqlite_event_store_impl.h.
#include "store/sqlite_event_store.h"

#include <sqlite3.h>

#include <string_view>
#include <vector>
#include <utility>

#include "core/chain_check.h"
#include "core/hash_chain.h"
#include "store/sqlite_append_watch.h"
#include "store/sqlite_event_store_impl.h"
#include "store/sqlite_row_scan.h"
#include "store/sqlite_rows.h"

namespace seam {

using namespace sqlite_internal;  // NOLINT(google-build-using-namespace): store-private helpers

namespace {

// Steps a statement that returns no rows (BEGIN, COMMIT, ...); SQLITE_DONE on success.
int StepDone(sqlite3_stmt* s) {
  Resetter reset(s);
  return sqlite3_step(s);
}

}  // namespace

// The stream's version and the actor of its last event (0 and "" for a new stream).
Status SqliteEventStore::Impl::StreamTip(const std::string& stream, std::int64_t* version,
                                         std::string* actor) {
  sqlite3_stmt* s = stream_tip.get();
  Resetter reset(s);
  BindText(s, 1, stream);
  const int rc = sqlite3_step(s);
  *version = 0;
  if (rc == SQLITE_DONE) return Status::Ok();
  if (rc != SQLITE_ROW) return Error(rc, "reading stream " + stream);
  *version = sqlite3_column_int64(s, 0);
  if (actor != nullptr) AssignText(s, 1, actor);
  return Status::Ok();
}

Result<LogHead> SqliteEventStore::Impl::Head() {
  sqlite3_stmt* s = log_head.get();
  Resetter reset(s);
  LogHead head{0, kGenesisHash};
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return head;
  if (rc != SQLITE_ROW) return Error(rc, "reading the head");
  head.seq = sqlite3_column_int64(s, 0);
  if (!AssignHash(s, 1, &head.hash)) return Malformed(head.seq);
  return head;
}

Status SqliteEventStore::Impl::Malformed(std::int64_t seq) const {
  return Status::Corruption("event log " + path + ": seq " + std::to_string(seq) +
                            " has a malformed hash; run verify and restore from a backup");
}

// Only the row itself: a stream's rows are not consecutive in the global chain, so prev_hash
// links are Verify's job.
Status SqliteEventStore::Impl::CheckRowHash(const Event& e) const {
  if (ComputeEventHash(e) == e.hash) return Status::Ok();
  return RowHashMismatch(e);
}

Status SqliteEventStore::Impl::RowHashMismatch(const Event& e) const {
  return Status::Corruption("event log " + path + ": event seq " + std::to_string(e.seq) +
                            " of stream " + e.stream +
                            " fails its hash check (the row was altered); run `seamctl verify`");
}

Status SqliteEventStore::Impl::Insert(const Event& e) {
  sqlite3_stmt* s = insert.get();
  Resetter reset(s);
  // Bindings are SQLITE_STATIC (nullptr): `e` outlives the step.
  const int binds[] = {
      sqlite3_bind_int64(s, 1, e.seq),
      BindText(s, 2, e.stream),
      sqlite3_bind_int64(s, 3, e.version),
      BindText(s, 4, e.type),
      sqlite3_bind_int64(s, 5, e.time_us),
      BindText(s, 6, e.actor),
      sqlite3_bind_blob64(s, 7, e.payload.data(), e.payload.size(), nullptr),
      sqlite3_bind_blob64(s, 8, e.prev_hash.data(), e.prev_hash.size(), nullptr),
      sqlite3_bind_blob64(s, 9, e.hash.data(), e.hash.size(), nullptr),
      sqlite3_bind_int64(s, 10, e.epoch),
  };
  int rc = SQLITE_OK;
  for (const int b : binds) rc = rc == SQLITE_OK ? b : rc;
  if (rc == SQLITE_OK) rc = sqlite3_step(s);
  return rc == SQLITE_DONE ? Status::Ok() : Error(rc, "appending to stream " + e.stream);
}

// REQUIRES: inside BEGIN IMMEDIATE.
Result<AppendResult> SqliteEventStore::Impl::AppendLocked(const std::string& stream,
                                                          std::int64_t expected_version,
                                                          const std::vector<EventDraft>& drafts,
                                                          std::int64_t epoch) {
  std::int64_t version = 0;
  std::string last_actor;
  SEAM_RETURN_IF_ERROR(StreamTip(stream, &version, &last_actor));
  if (version != expected_version) {
    const std::string who = version == 0 ? "no events yet" : "last written by " + last_actor;
    return Status::Conflict("stream " + stream + " is at version " + std::to_string(version) +
                            " (" + who + "), expected " + std::to_string(expected_version));
  }
  SEAM_ASSIGN_OR_RETURN(LogHead head, Head());
  AppendResult result{head.seq + 1, 0, 0};
  Event e;
  e.stream = stream;
  e.seq = head.seq;
  e.version = version;
  e.epoch = epoch;
  e.hash = head.hash;
  for (const EventDraft& d : drafts) {
    ++e.seq;
    ++e.version;
    e.type = d.type;
    e.time_us = d.time_us;
    e.actor = d.actor;
    e.payload = d.payload;
    e.prev_hash = e.hash;
    e.hash = ComputeEventHash(e);
    SEAM_RETURN_IF_ERROR(Insert(e));
  }
  result.last_seq = e.seq;
  result.last_version = e.version;
  return result;
}

Result<AppendResult> SqliteEventStore::Impl::Append(const std::string& stream,
                                                    std::int64_t expected_version,
                                                    const std::vector<EventDraft>& drafts,
                                                    std::int64_t epoch) {
  if (const int rc = StepDone(begin.get()); rc != SQLITE_DONE) {
    return Error(rc, "starting an append");
  }
  Result<AppendResult> result = AppendLocked(stream, expected_version, drafts, epoch);
  if (result.ok()) {
    const int rc = StepDone(commit.get());
    if (rc == SQLITE_DONE) return result;
    result = Error(rc, "committing an append");
  }
  // Nothing of a failed append may stay behind. SQLite may already have rolled back.
  if (sqlite3_get_autocommit(db.get()) == 0) (void)StepDone(rollback.get());
  return result;
}

Result<std::vector<Event>> SqliteEventStore::Impl::ReadRows(sqlite3_stmt* s,
                                                            std::string_view doing) {
  std::vector<Event> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    Event& e = out.emplace_back();
    if (!ReadRow(s, &e)) return Malformed(e.seq);
    SEAM_RETURN_IF_ERROR(CheckRowHash(e));
  }
  if (rc != SQLITE_DONE) return Error(rc, doing);
  return out;
}

Result<VerifyReport> SqliteEventStore::Impl::Verify() {
  sqlite3_stmt* s = verify.get();
  Resetter reset(s);
  ChainCheck chain;
  int rc = SQLITE_DONE;
  // A broken chain is a finding, not an error: the callback stops the scan, the report says why.
  const Status scanned = ScanHashedRows(s, [&](const HashedRow& row) {
    if (chain.Next(row.event, row.computed, row.well_formed)) return Status::Ok();
    return Status::Corruption(chain.report().reason);
  }, &rc);
  if (!chain.report().intact) return chain.report();
  SEAM_RETURN_IF_ERROR(scanned);
  if (rc != SQLITE_DONE) return Error(rc, "verifying");
  return chain.report();
}

SqliteEventStore::SqliteEventStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteEventStore::~SqliteEventStore() = default;

const std::string& SqliteEventStore::path() const { return impl_->path; }

bool SqliteEventStore::read_only() const { return impl_->read_only; }

const std::string& SqliteEventStore::notice() const { return impl_->notice; }

Result<AppendResult> SqliteEventStore::Append(const std::string& stream,
                                              std::int64_t expected_version,
                                              const std::vector<EventDraft>& events,
                                              const AppendFence& fence) {
  if (impl_->read_only) {
    return Status::FailedPrecondition("event log " + impl_->path + " was opened read-only");
  }
  SEAM_RETURN_IF_ERROR(CheckAppendArgs(stream, expected_version, events, fence));
  if (fence.check && fence.epoch > 0) {
    return Status::FailedPrecondition("event log " + impl_->path + " keeps no ownership leases, so an append "
                                      "fenced by epoch " + std::to_string(fence.epoch) + " cannot be checked");
  }
  return impl_->Append(stream, expected_version, events, fence.epoch);
}

Result<std::vector<Event>> SqliteEventStore::ReadStream(const std::string& stream,
                                                        std::int64_t from_version) {
  sqlite3_stmt* s = impl_->read_stream.get();
  Resetter reset(s);
  BindText(s, 1, stream);
  sqlite3_bind_int64(s, 2, from_version);
  return impl_->ReadRows(s, "reading stream " + stream);
}

Status SqliteEventStore::ScanStream(const std::string& stream, std::int64_t from_version,
                                    const std::function<Status(const Event&)>& visit) {
  sqlite3_stmt* s = impl_->read_stream.get();
  Resetter reset(s);
  BindText(s, 1, stream);
  sqlite3_bind_int64(s, 2, from_version);
  int rc = SQLITE_DONE;
  SEAM_RETURN_IF_ERROR(ScanHashedRows(s, [&](const HashedRow& row) {
    if (!row.well_formed) return impl_->Malformed(row.event.seq);
    if (row.computed != row.event.hash) return impl_->RowHashMismatch(row.event);
    return visit(row.event);
  }, &rc));
  if (rc != SQLITE_DONE) return impl_->Error(rc, "reading stream " + stream);
  return Status::Ok();
}

Result<std::vector<Event>> SqliteEventStore::ReadAll(std::int64_t from_seq, std::int64_t limit) {
  sqlite3_stmt* s = impl_->read_all.get();
  Resetter reset(s);
  sqlite3_bind_int64(s, 1, from_seq);
  sqlite3_bind_int64(s, 2, limit > 0 ? limit : -1);  // LIMIT -1: no limit
  return impl_->ReadRows(s, "reading the log");
}

Result<std::int64_t> SqliteEventStore::StreamVersion(const std::string& stream) {
  std::int64_t version = 0;
  SEAM_RETURN_IF_ERROR(impl_->StreamTip(stream, &version, nullptr));
  return version;
}

Result<LogHead> SqliteEventStore::Head() { return impl_->Head(); }

Result<std::unique_ptr<AppendWatch>> SqliteEventStore::WatchAppends(std::int64_t after_seq,
                                                                    std::function<void(std::int64_t)> on_append) {
  SqliteOpenOptions options;
  options.read_only = true;
  options.busy_timeout_ms = impl_->busy_timeout_ms;
  SEAM_ASSIGN_OR_RETURN(std::unique_ptr<SqliteEventStore> reader, Open(impl_->path, options));
  return std::unique_ptr<AppendWatch>(std::make_unique<SqliteAppendWatch>(
      std::move(reader), after_seq, std::move(on_append), std::chrono::milliseconds(impl_->watch_poll_ms)));
}

Result<VerifyReport> SqliteEventStore::Verify() { return impl_->Verify(); }

}  // namespace seam
