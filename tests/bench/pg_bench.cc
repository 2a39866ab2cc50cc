// The PostgreSQL store's figures (issue 15), each beside raw libpq doing the same work on the same
// server in the same run: a throwaway server (tests/support/throwaway_postgres.h) with the
// durable defaults (fsync on, synchronous_commit on), over its Unix socket.
//   - one durable append (seam_append: head lock, version check, insert, notify, commit) vs one
//     autocommit INSERT of the same row into a plain table;
//   - 100 events per append vs one INSERT of 100 rows (unnest of arrays) and its commit;
//   - replay (CatchUp: the stream read in pages in one snapshot, each row's hash checked, every
//     value unsealed and folded) of SEAM_BENCH_PG_EVENTS (default 1,000,000) events vs one raw
//     SELECT of every column of the same rows in version order.

#include <libpq-fe.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "reconcilers/record_state.h"
#include "reconcilers/token/token_events.h"
#include "reconcilers/token/token_kind.h"
#include "store/postgres/pg_event_store.h"
#include "tests/bench/bench_env.h"
#include "tests/bench/bench_main.h"
#include "tests/bench/summary.h"
#include "tests/support/throwaway_postgres.h"

namespace seam::bench {
namespace {

constexpr int kBatch = 100;

std::int64_t PgReplayEventCount() {
  const char* env = std::getenv("SEAM_BENCH_PG_EVENTS");
  if (env == nullptr || *env == '\0') return 1000000;
  const long long v = std::strtoll(env, nullptr, 10);
  return v > 0 ? v : 1000000;
}

// The run's server, started on first use and stopped at exit; "" error when it runs.
testing::ThrowawayPostgres* Server(std::string* error) {
  static testing::ThrowawayPostgres server;
  static const std::string started = server.Start();
  *error = started;
  return started.empty() ? &server : nullptr;
}

// A fresh database's URL, or "" after marking the benchmark failed.
std::string FreshDatabase(benchmark::State& state, const std::string& prefix) {
  std::string error;
  testing::ThrowawayPostgres* server = Server(&error);
  if (server == nullptr) {
    state.SkipWithError(("PostgreSQL: " + error).c_str());
    return "";
  }
  const std::string db = server->NewDatabase(prefix);
  if (db.empty()) {
    state.SkipWithError("CREATE DATABASE failed");
    return "";
  }
  return server->Url(db);
}

std::unique_ptr<PgEventStore> OpenStore(benchmark::State& state, const std::string& url, bool create) {
  PgOpenOptions options;
  options.create_if_missing = create;
  Result<std::unique_ptr<PgEventStore>> store = PgEventStore::Open(url, options);
  if (!store.ok()) {
    state.SkipWithError(store.status().ToString().c_str());
    return nullptr;
  }
  return std::move(store).value();
}

void SetRate(benchmark::State& state, std::int64_t events) {
  state.counters[kRateCounter] = benchmark::Counter(
      static_cast<double>(state.iterations()) * static_cast<double>(events), benchmark::Counter::kIsRate);
}

// Raw libpq on one connection: the baseline's statements, nothing of seam's.
class RawPg {
 public:
  explicit RawPg(const std::string& url) : conn_(PQconnectdb(url.c_str())) {}
  ~RawPg() { PQfinish(conn_); }
  bool ok() const { return PQstatus(conn_) == CONNECTION_OK; }
  std::string error() const { return PQerrorMessage(conn_); }
  // Runs `sql` with text parameters; false (error() says why) unless it succeeded.
  bool Exec(const char* sql, const std::vector<std::string>& params, PGresult** keep = nullptr) {
    std::vector<const char*> values;
    for (const std::string& p : params) values.push_back(p.c_str());
    PGresult* r = PQexecParams(conn_, sql, static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0);
    const ExecStatusType st = PQresultStatus(r);
    const bool good = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (keep != nullptr && good) {
      *keep = r;
    } else {
      PQclear(r);
    }
    return good;
  }

 private:
  PGconn* conn_;
};

std::string Hex(const std::string& bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

constexpr char kRawTable[] =
    "CREATE TABLE raw_events (seq bigint PRIMARY KEY, stream text NOT NULL, version bigint NOT NULL, "
    "type text NOT NULL, time_us bigint NOT NULL, actor text NOT NULL, payload bytea NOT NULL, "
    "prev_hash bytea NOT NULL, hash bytea NOT NULL, UNIQUE (stream, version))";

void SeamAppend(benchmark::State& state, int per_call) {
  const std::string url = FreshDatabase(state, "seam_append");
  if (url.empty()) return;
  std::unique_ptr<PgEventStore> store = OpenStore(state, url, true);
  if (store == nullptr) return;
  std::vector<EventDraft> drafts(static_cast<std::size_t>(per_call));
  std::int64_t t = NowUs();
  for (EventDraft& d : drafts) d = EventDraft{token::kTokenRotated, kActor, ++t, SamplePayload()};
  std::int64_t version = 0;
  for (auto _ : state) {
    Result<AppendResult> r = store->Append(kStream, version, drafts);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
    version = r->last_version;
  }
  SetRate(state, per_call);
}

// The same rows as plain INSERTs: one autocommit INSERT, or one INSERT of per_call rows.
void RawAppend(benchmark::State& state, int per_call) {
  const std::string url = FreshDatabase(state, "raw_append");
  if (url.empty()) return;
  RawPg db(url);
  if (!db.ok() || !db.Exec(kRawTable, {})) {
    state.SkipWithError(("raw: " + db.error()).c_str());
    return;
  }
  const std::string payload = Hex(SamplePayload());
  const std::string hash = Hex(std::string(32, 'h'));
  std::int64_t seq = 0;
  std::int64_t t = NowUs();
  for (auto _ : state) {
    bool ok;
    if (per_call == 1) {
      ++seq;
      ok = db.Exec("INSERT INTO raw_events VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                   {std::to_string(seq), kStream, std::to_string(seq), token::kTokenRotated, std::to_string(++t),
                    kActor, payload, hash, hash});
    } else {
      const std::int64_t first = seq + 1;
      seq += per_call;
      ok = db.Exec("INSERT INTO raw_events SELECT s, $3, s, $4, $5 + s, $6, $7, $8, $8 "
                   "FROM generate_series($1::bigint, $2::bigint) AS s",
                   {std::to_string(first), std::to_string(seq), kStream, token::kTokenRotated, std::to_string(t),
                    kActor, payload, hash});
    }
    if (!ok) {
      state.SkipWithError(("raw: " + db.error()).c_str());
      break;
    }
  }
  SetRate(state, per_call);
}

struct PgReplayLog {
  std::string url;
  std::int64_t events = 0;
  std::string error;
};

const PgReplayLog& ReplayLog() {
  static const PgReplayLog log = [] {
    PgReplayLog out;
    out.events = PgReplayEventCount();
    std::string error;
    testing::ThrowawayPostgres* server = Server(&error);
    if (server == nullptr) {
      out.error = "PostgreSQL: " + error;
      return out;
    }
    const std::string db = server->NewDatabase("replay");
    if (db.empty()) {
      out.error = "CREATE DATABASE failed";
      return out;
    }
    out.url = server->Url(db);
    std::fprintf(stderr, "seam_bench: generating %lld events in PostgreSQL ...\n", static_cast<long long>(out.events));
    const auto start = std::chrono::steady_clock::now();
    PgOpenOptions options;
    options.create_if_missing = true;
    Result<std::unique_ptr<PgEventStore>> store = PgEventStore::Open(out.url, options);
    const Status st = store.ok() ? GenerateTokenLog(**store, out.events) : store.status();
    if (!st.ok()) out.error = "generating the replay log: " + st.ToString();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::fprintf(stderr, "seam_bench: generated in %.1f s\n", took.count());
    return out;
  }();
  return log;
}

void SeamReplay(benchmark::State& state) {
  const PgReplayLog& log = ReplayLog();
  if (!log.error.empty()) return state.SkipWithError(log.error.c_str());
  std::unique_ptr<PgEventStore> store = OpenStore(state, log.url, false);
  if (store == nullptr) return;
  for (auto _ : state) {
    RecordState folded(token::TokenKind());
    const Status replayed = CatchUp(*store, kStream, folded, Keys());
    if (!replayed.ok()) {
      state.SkipWithError(replayed.ToString().c_str());
      break;
    }
    if (folded.stream_version != log.events) {
      state.SkipWithError("fold did not reach the last version");
      break;
    }
    benchmark::DoNotOptimize(folded.value.size());
  }
  SetRate(state, log.events);
}

// Every column of the stream's rows in version order, each value touched.
void RawSelect(benchmark::State& state) {
  const PgReplayLog& log = ReplayLog();
  if (!log.error.empty()) return state.SkipWithError(log.error.c_str());
  RawPg db(log.url);
  if (!db.ok()) return state.SkipWithError(db.error().c_str());
  for (auto _ : state) {
    PGresult* r = nullptr;
    if (!db.Exec("SELECT seq, stream, version, type, time_us, actor, payload, prev_hash, hash FROM seam_events "
                 "WHERE stream = $1 ORDER BY version",
                 {kStream}, &r)) {
      state.SkipWithError(db.error().c_str());
      break;
    }
    std::uint64_t bytes = 0;
    const int rows = PQntuples(r);
    for (int i = 0; i < rows; ++i) {
      for (int c = 0; c < 9; ++c) bytes += static_cast<std::uint64_t>(PQgetlength(r, i, c));
    }
    PQclear(r);
    if (rows != log.events) {
      state.SkipWithError("raw select returned the wrong number of rows");
      break;
    }
    benchmark::DoNotOptimize(bytes);
  }
  SetRate(state, log.events);
}

}  // namespace

void RegisterPgBenchmarks() {
  // Wall-clock time, repeated three times (commit latency swings on a shared disk): the median.
  benchmark::RegisterBenchmark(kPgAppendOne, [](benchmark::State& s) { SeamAppend(s, 1); })
      ->UseRealTime()->MinTime(0.5)->Repetitions(3)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(kRawPgInsertOne, [](benchmark::State& s) { RawAppend(s, 1); })
      ->UseRealTime()->MinTime(0.5)->Repetitions(3)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(kPgAppendBatch, [](benchmark::State& s) { SeamAppend(s, kBatch); })
      ->UseRealTime()->MinTime(0.5)->Repetitions(3)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(kRawPgInsertBatch, [](benchmark::State& s) { RawAppend(s, kBatch); })
      ->UseRealTime()->MinTime(0.5)->Repetitions(3)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(kPgReplay, SeamReplay)->UseRealTime()->Iterations(3)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(kRawPgSelect, RawSelect)->UseRealTime()->Iterations(3)->Unit(benchmark::kMillisecond);
}

}  // namespace seam::bench
