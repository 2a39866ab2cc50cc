#include "store/postgres/pg_event_store.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <optional>
#include <thread>
#include <utility>

#include "core/chain_check.h"
#include "core/fault_point.h"
#include "core/hash_chain.h"
#include "store/postgres/pg_conn.h"
#include "store/postgres/pg_loop_watch.h"
#include "store/postgres/pg_schema.h"

namespace seam {
namespace {

constexpr int kBatch = 16384;
constexpr char kColumns[] = "seq, stream, version, type, time_us, actor, payload, prev_hash, hash, epoch";
// An append whose head moved is hashed again on the new head, one round trip per try. Appenders
// in tight loops can make one lose every time (its retry is always a round trip behind), so
// after kOptimisticTries it takes the head's lock first (seam_lock_head) and cannot lose again.
constexpr int kOptimisticTries = 4;

// The row's own fields; false when a hash column is not 32 bytes (the chain check says so).
bool ParseRow(const pg::Rows& rows, int i, Event& e) {
  e.seq = rows.Int(i, 0);
  e.stream.assign(rows.Text(i, 1));
  e.version = rows.Int(i, 2);
  e.type.assign(rows.Text(i, 3));
  e.time_us = rows.Int(i, 4);
  e.actor.assign(rows.Text(i, 5));
  e.epoch = rows.Int(i, 9);
  const bool payload = rows.Bytes(i, 6, &e.payload);
  return payload && rows.HashAt(i, 7, &e.prev_hash) && rows.HashAt(i, 8, &e.hash);
}

// Runs `body` inside one REPEATABLE READ, READ ONLY transaction: a scan in pages sees one
// snapshot of the log.
Status InSnapshot(pg::Connection& conn, const std::function<Status()>& body) {
  SEAM_RETURN_IF_ERROR(conn.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "starting a read").status());
  Status s = body();
  (void)conn.Exec(s.ok() ? "COMMIT" : "ROLLBACK", "ending a read");
  return s;
}

// Wakes its owner on appends: LISTEN on a connection of its own, the head re-read on every
// notification and at least every poll interval (notifications are lost while disconnected;
// they only wake), reconnecting with back-off.
class PgAppendWatch final : public AppendWatch {
 public:
  PgAppendWatch(std::string url, std::string password, std::int64_t after_seq,
                std::function<void(std::int64_t)> on_append, int poll_ms)
      : url_(std::move(url)), password_(std::move(password)), last_(after_seq), on_append_(std::move(on_append)),
        poll_ms_(poll_ms) {
    stop_fd_ = eventfd(0, EFD_CLOEXEC);
    thread_ = std::thread([this] { Run(); });
  }
  ~PgAppendWatch() override {
    stopping_ = true;
    const std::uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof one);
    thread_.join();
    close(stop_fd_);
  }

 private:
  // Waits for the socket (or the stop signal) for at most `ms`; false when stopping.
  bool Wait(int socket, int ms) {
    pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {socket, POLLIN, 0}};
    (void)poll(fds, socket >= 0 ? 2 : 1, ms);
    return !stopping_;
  }
  void Report(pg::Connection& conn) {
    Result<pg::Rows> head = conn.Exec("SELECT seq FROM seam_head WHERE id = 1", "reading the head");
    if (!head.ok() || head->count() != 1) return;
    const std::int64_t seq = head->Int(0, 0);
    if (seq != last_) {
      last_ = seq;
      on_append_(seq);
    }
  }
  void Run() {
    int backoff_ms = 100;
    while (!stopping_) {
      Result<std::unique_ptr<pg::Connection>> conn = pg::Connection::Open(url_, password_);
      // A session setting: a reconnect inside Exec (Report's) listens again.
      if (!conn.ok() || !(*conn)->SetForSession("LISTEN seam_appends").ok()) {
        if (!Wait(-1, backoff_ms)) return;
        backoff_ms = std::min(backoff_ms * 2, 5000);
        continue;
      }
      backoff_ms = 100;
      PGconn* raw = (*conn)->raw();
      Report(**conn);  // catch up with what was appended before LISTEN took effect
      while (PQstatus(raw) == CONNECTION_OK) {
        if (!Wait(PQsocket(raw), poll_ms_)) return;
        if (PQconsumeInput(raw) == 0) break;
        while (PGnotify* n = PQnotifies(raw)) PQfreemem(n);
        Report(**conn);
      }
    }
  }

  std::string url_;
  std::string password_;
  std::int64_t last_;
  std::function<void(std::int64_t)> on_append_;
  int poll_ms_;
  int stop_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace

PgEventStore::PgEventStore(std::string url, std::unique_ptr<pg::Connection> conn, PgOpenOptions options)
    : url_(std::move(url)), conn_(std::move(conn)), options_(options) {}
PgEventStore::~PgEventStore() = default;
const std::string& PgEventStore::describe() const { return conn_->describe(); }

Result<std::unique_ptr<PgEventStore>> PgEventStore::Open(const std::string& url, const PgOpenOptions& options) {
  if (options.create_if_missing && options.read_only) {
    return Status::InvalidArgument("a store opened read-only cannot be created");
  }
  SEAM_ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> conn, pg::Connection::Open(url, options.password));
  SEAM_RETURN_IF_ERROR(options.create_if_missing ? pg::CreateSchema(*conn) : pg::CheckSchema(*conn));
  if (options.read_only) {
    SEAM_RETURN_IF_ERROR(conn->SetForSession("SET default_transaction_read_only = on"));
  }
  return std::unique_ptr<PgEventStore>(new PgEventStore(url, std::move(conn), options));
}

Result<AppendResult> PgEventStore::Append(const std::string& stream, std::int64_t expected_version,
                                          const std::vector<EventDraft>& events, const AppendFence& fence) {
  if (options_.read_only) return Status::FailedPrecondition("event log " + describe() + " was opened read-only");
  SEAM_RETURN_IF_ERROR(CheckAppendArgs(stream, expected_version, events, fence));
  std::vector<std::string> types, actors, payloads, hashes;
  std::vector<std::int64_t> times;
  for (const EventDraft& d : events) {
    types.push_back(d.type);
    actors.push_back(d.actor);
    payloads.push_back(d.payload);
    times.push_back(d.time_us);
  }
  const std::string doing = "appending to stream " + stream;
  // One try on `head`: the outcome row, whose head fields are the head after the call.
  auto try_on = [&](const LogHead& head) -> Result<pg::Rows> {
    hashes.clear();
    Event e;
    e.stream = stream;
    e.seq = head.seq;
    e.version = expected_version;
    e.epoch = fence.epoch;
    e.hash = head.hash;
    for (const EventDraft& d : events) {
      ++e.seq;
      ++e.version;
      e.type = d.type;
      e.time_us = d.time_us;
      e.actor = d.actor;
      e.payload = d.payload;
      e.prev_hash = e.hash;
      e.hash = ComputeEventHash(e);
      hashes.emplace_back(reinterpret_cast<const char*>(e.hash.data()), e.hash.size());
    }
    pg::Params params;
    params.Text(stream).Int(expected_version).Int(head.seq).Hash(head.hash);
    params.Int(fence.epoch).Text(fence.check ? "true" : "false");
    params.TextArray(types).IntArray(times).TextArray(actors).BytesArray(payloads).BytesArray(hashes);
    FaultPoint("pg-before-append");
    SEAM_ASSIGN_OR_RETURN(pg::Rows r, conn_->ExecPrepared("seam_append",
                                                           "SELECT * FROM seam_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                                                           params, doing));
    if (r.count() != 1) return Status::Internal("seam_append returned " + std::to_string(r.count()) + " rows");
    return r;
  };
  // What an outcome other than "moved" means; nullopt for "moved".
  auto settle = [&](const pg::Rows& r, const LogHead& head) -> std::optional<Result<AppendResult>> {
    const std::string_view outcome = r.Text(0, 0);
    if (outcome == "ok") return AppendResult{head.seq - static_cast<std::int64_t>(events.size()) + 1, head.seq, r.Int(0, 1)};
    if (outcome == "conflict") {
      const std::int64_t version = r.Int(0, 1);
      const std::string who = version == 0 ? "no events yet" : "last written by " + std::string(r.Text(0, 2));
      return Status::Conflict("stream " + stream + " is at version " + std::to_string(version) + " (" + who +
                              "), expected " + std::to_string(expected_version));
    }
    if (outcome == "fenced") {
      const std::string holder = r.IsNull(0, 5) ? std::string("nobody holds its lease")
                                                : std::string(r.Text(0, 5)) + " holds its lease at epoch " +
                                                      std::to_string(r.Int(0, 6)) +
                                                      (r.Text(0, 7) == "t" ? "" : ", expired");
      return Status::FailedPrecondition("append to stream " + stream + " fenced off: epoch " +
                                        std::to_string(fence.epoch) + " is not current (" + holder +
                                        "); nothing was written");
    }
    if (outcome == "moved") return std::nullopt;
    return Status::Internal("seam_append answered '" + std::string(outcome) + "'");
  };
  auto head_of = [&](const pg::Rows& r, LogHead* head) -> Status {
    head->seq = r.Int(0, 3);
    if (!r.HashAt(0, 4, &head->hash)) return Status::Corruption("event log " + describe() + ": the head's hash is malformed");
    last_head_ = *head;
    return Status::Ok();
  };

  LogHead head = last_head_;
  for (int attempt = 0; attempt < kOptimisticTries; ++attempt) {
    SEAM_ASSIGN_OR_RETURN(pg::Rows r, try_on(head));
    SEAM_RETURN_IF_ERROR(head_of(r, &head));
    std::optional<Result<AppendResult>> settled = settle(r, head);
    if (!settled) continue;  // "moved": another append committed since the head we hashed on
    if (settled->ok()) FaultPoint("pg-after-append");  // committed, not yet acknowledged
    return std::move(*settled);
  }
  // Lost the race every time: lock the head, hash on it, append, commit: a few round trips with
  // the head locked, once, instead of losing forever.
  auto locked = [&]() -> Result<AppendResult> {
    SEAM_RETURN_IF_ERROR(conn_->Exec("BEGIN", doing).status());
    SEAM_ASSIGN_OR_RETURN(pg::Rows locked_head, conn_->Exec("SELECT head_seq, head_hash FROM seam_lock_head()", doing));
    if (locked_head.count() != 1) return Status::Corruption("event log " + describe() + ": no head row");
    head.seq = locked_head.Int(0, 0);
    if (!locked_head.HashAt(0, 1, &head.hash)) {
      return Status::Corruption("event log " + describe() + ": the head's hash is malformed");
    }
    SEAM_ASSIGN_OR_RETURN(pg::Rows r, try_on(head));
    SEAM_RETURN_IF_ERROR(head_of(r, &head));
    std::optional<Result<AppendResult>> settled = settle(r, head);
    if (!settled) return Status::Internal("seam_append found the head moved while this transaction held its lock");
    if (!settled->ok()) return std::move(*settled);
    // Until COMMIT returns nothing is durable; a COMMIT whose answer is lost leaves the append's
    // fate to be found out (Unavailable), as for any statement.
    SEAM_RETURN_IF_ERROR(conn_->Exec("COMMIT", doing).status());
    FaultPoint("pg-after-append");
    return std::move(*settled);
  };
  Result<AppendResult> appended = locked();
  if (!appended.ok()) (void)conn_->Exec("ROLLBACK", doing);  // after COMMIT failed, a no-op warning
  return appended;
}

Status PgEventStore::ReadRows(const std::string& sql, const pg::Params& params, std::string_view doing,
                              const std::function<Status(Event&, bool)>& visit, bool check_hashes) {
  SEAM_ASSIGN_OR_RETURN(pg::Rows rows, conn_->Exec(sql, params, doing, /*binary=*/true));
  Event e;
  for (int i = 0; i < rows.count(); ++i) {
    const bool well_formed = ParseRow(rows, i, e);
    if (check_hashes) {
      if (!well_formed) {
        return Status::Corruption("event log " + describe() + ": seq " + std::to_string(e.seq) +
                                  " has a malformed hash; run verify and restore from a backup");
      }
      if (ComputeEventHash(e) != e.hash) {
        return Status::Corruption("event log " + describe() + ": event seq " + std::to_string(e.seq) + " of stream " +
                                  e.stream + " fails its hash check (the row was altered); run `seamctl verify`");
      }
    }
    SEAM_RETURN_IF_ERROR(visit(e, well_formed));
  }
  return Status::Ok();
}

Result<std::vector<Event>> PgEventStore::ReadStream(const std::string& stream, std::int64_t from_version) {
  std::vector<Event> out;
  SEAM_RETURN_IF_ERROR(ScanStream(stream, from_version, [&](const Event& e) {
    out.push_back(e);
    return Status::Ok();
  }));
  return out;
}

Status PgEventStore::ReadPages(const std::string& where, const std::string& key, const pg::Params& base, std::int64_t from,
                               std::int64_t upper, std::string_view doing,
                               const std::function<Status(Event&, bool)>& visit, bool check_hashes) {
  // Key ranges, not LIMIT: the planner answers a range from the index whatever its statistics
  // say (a `LIMIT n` page on a table whose statistics predate a bulk load was planned as a sort
  // of the whole table: 14 s to replay 1M events instead of 2). Keys are gap-free in an intact
  // log, so a page holds at most kBatch rows; a tampered log with gaps gives smaller pages,
  // which the caller's checks see.
  const int n = base.size();
  const std::string sql = std::string("SELECT ") + kColumns + " FROM seam_events WHERE " + where + " AND " + key +
                          " >= $" + std::to_string(n + 1) + " AND " + key + " < $" + std::to_string(n + 2) +
                          " ORDER BY " + key;
  for (std::int64_t lo = std::max<std::int64_t>(from, 1); lo <= upper; lo += kBatch) {
    pg::Params params = base;
    params.Int(lo).Int(std::min(lo + kBatch, upper + 1));
    SEAM_RETURN_IF_ERROR(ReadRows(sql, params, doing, visit, check_hashes));
  }
  return Status::Ok();
}

Status PgEventStore::ScanStream(const std::string& stream, std::int64_t from_version,
                                const std::function<Status(const Event&)>& visit) {
  return InSnapshot(*conn_, [&] {
    pg::Params params;
    params.Text(stream);
    SEAM_ASSIGN_OR_RETURN(pg::Rows last, conn_->Exec("SELECT coalesce(max(version), 0) FROM seam_events WHERE stream = $1",
                                                      params, "reading stream " + stream));
    return ReadPages("stream = $1", "version", params, from_version, last.Int(0, 0), "reading stream " + stream,
                     [&](Event& e, bool) { return visit(e); });
  });
}

Result<std::vector<Event>> PgEventStore::ReadAll(std::int64_t from_seq, std::int64_t limit) {
  std::vector<Event> out;
  Status read = InSnapshot(*conn_, [&] {
    SEAM_ASSIGN_OR_RETURN(pg::Rows last, conn_->Exec("SELECT coalesce(max(seq), 0) FROM seam_events", "reading the log"));
    std::int64_t upper = last.Int(0, 0);
    if (limit > 0) upper = std::min(upper, std::max<std::int64_t>(from_seq, 1) + limit - 1);
    return ReadPages("true", "seq", pg::Params(), from_seq, upper, "reading the log", [&](Event& e, bool) {
      out.push_back(e);
      return Status::Ok();
    });
  });
  SEAM_RETURN_IF_ERROR(read);
  return out;
}

Result<std::int64_t> PgEventStore::StreamVersion(const std::string& stream) {
  pg::Params params;
  params.Text(stream);
  SEAM_ASSIGN_OR_RETURN(pg::Rows r, conn_->Exec("SELECT coalesce(max(version), 0) FROM seam_events WHERE stream = $1",
                                                 params, "reading stream " + stream));
  return r.Int(0, 0);
}

Result<LogHead> PgEventStore::Head() {
  SEAM_ASSIGN_OR_RETURN(pg::Rows r, conn_->Exec("SELECT seq, hash FROM seam_head WHERE id = 1", "reading the head"));
  LogHead head;
  if (r.count() != 1) return Status::Corruption("event log " + describe() + ": the head row is missing");
  head.seq = r.Int(0, 0);
  if (!r.HashAt(0, 1, &head.hash)) return Status::Corruption("event log " + describe() + ": the head's hash is malformed");
  return head;
}

Result<VerifyReport> PgEventStore::Verify() {
  ChainCheck chain;
  Status scanned = InSnapshot(*conn_, [&] {
    SEAM_ASSIGN_OR_RETURN(pg::Rows last, conn_->Exec("SELECT coalesce(max(seq), 0) FROM seam_events", "verifying"));
    return ReadPages("true", "seq", pg::Params(), 1, last.Int(0, 0), "verifying", [&](Event& e, bool well_formed) {
      const Hash computed = well_formed ? ComputeEventHash(e) : Hash{};
      return chain.Next(e, computed, well_formed) ? Status::Ok() : Status::Corruption(chain.report().reason);
    }, /*check_hashes=*/false);
  });
  if (!chain.report().intact) return chain.report();
  SEAM_RETURN_IF_ERROR(scanned);
  return chain.report();
}

Result<std::unique_ptr<AppendWatch>> PgEventStore::WatchAppends(std::int64_t after_seq,
                                                                std::function<void(std::int64_t)> on_append) {
  return std::unique_ptr<AppendWatch>(new PgAppendWatch(url_, options_.password, after_seq, std::move(on_append), options_.watch_poll_ms));
}

std::unique_ptr<LoopAppendWatch> PgEventStore::LoopWatchAppends(std::int64_t after_seq) {
  pg::PgLoopWatch::Timing timing;
  timing.poll = std::chrono::milliseconds(options_.watch_poll_ms);
  return std::make_unique<pg::PgLoopWatch>(url_, options_.password, after_seq, timing);
}

}  // namespace seam
