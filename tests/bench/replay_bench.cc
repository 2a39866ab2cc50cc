// Figures 3 and 4 over one log of SEAM_BENCH_EVENTS (default 1,000,000) token events, generated
// once per process: replaying a stream into intended state (ReadStream + Fold, unsealing
// every value) and Verify() of the whole chain, each against a raw SELECT of every column of
// every row of the same database.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "reconcilers/token/token_events.h"
#include "reconcilers/record_state.h"
#include "reconcilers/token/token_kind.h"
#include "store/sqlite_event_store.h"
#include "tests/bench/bench_env.h"
#include "tests/bench/bench_main.h"
#include "tests/bench/raw_sqlite.h"
#include "tests/bench/summary.h"

namespace seam::bench {
namespace {

struct ReplayLog {
  std::string path;
  std::int64_t events = 0;
  std::string error;  // non-empty when the log could not be generated
};

const ReplayLog& GetReplayLog() {
  static const ReplayLog log = [] {
    ReplayLog out;
    out.events = ReplayEventCount();
    out.path = NewDbPath("replay");
    std::fprintf(stderr, "seam_bench: generating %lld events in %s ...\n",
                 static_cast<long long>(out.events), out.path.c_str());
    const auto start = std::chrono::steady_clock::now();
    SqliteOpenOptions options;
    options.create_if_missing = true;
    Result<std::unique_ptr<SqliteEventStore>> store = SqliteEventStore::Open(out.path, options);
    Status st = store.ok() ? GenerateTokenLog(**store, out.events) : store.status();
    if (!st.ok()) out.error = "generating the replay log: " + st.ToString();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::fprintf(stderr, "seam_bench: generated in %.1f s\n", took.count());
    return out;
  }();
  return log;
}

// The replay log, or nullptr after marking the benchmark failed.
const ReplayLog* LogOrSkip(benchmark::State& state) {
  const ReplayLog& log = GetReplayLog();
  if (!log.error.empty()) {
    state.SkipWithError(log.error.c_str());
    return nullptr;
  }
  return &log;
}

std::unique_ptr<SqliteEventStore> OpenStore(benchmark::State& state, const std::string& path) {
  Result<std::unique_ptr<SqliteEventStore>> store = SqliteEventStore::Open(path, SqliteOpenOptions{});
  if (!store.ok()) {
    state.SkipWithError(store.status().ToString().c_str());
    return nullptr;
  }
  return std::move(store).value();
}

void SetRate(benchmark::State& state, std::int64_t events) {
  state.counters[kRateCounter] = benchmark::Counter(
      static_cast<double>(state.iterations()) * static_cast<double>(events),
      benchmark::Counter::kIsRate);
}

// Figure 3: read the stream and fold it into intended state with the real key ring.
void SeamReplayFold(benchmark::State& state) {
  const ReplayLog* log = LogOrSkip(state);
  if (log == nullptr) return;
  std::unique_ptr<SqliteEventStore> store = OpenStore(state, log->path);
  if (store == nullptr) return;
  const std::string stream = kStream;
  for (auto _ : state) {
    // The replay path the reconcilers use: rows streamed from SQLite straight into the fold.
    RecordState folded(token::TokenKind());
    Status replayed = CatchUp(*store, stream, folded, Keys());
    if (!replayed.ok()) {
      state.SkipWithError(replayed.ToString().c_str());
      break;
    }
    if (folded.stream_version != log->events || !folded.active()) {
      state.SkipWithError("fold did not reach the last version");
      break;
    }
    benchmark::DoNotOptimize(folded.value.size());
  }
  SetRate(state, log->events);
}

// Not a figure: the ReadStream half of figure 3, to see where its time goes.
void SeamReadStream(benchmark::State& state) {
  const ReplayLog* log = LogOrSkip(state);
  if (log == nullptr) return;
  std::unique_ptr<SqliteEventStore> store = OpenStore(state, log->path);
  if (store == nullptr) return;
  const std::string stream = kStream;
  for (auto _ : state) {
    Result<std::vector<Event>> events = store->ReadStream(stream);
    if (!events.ok() || static_cast<std::int64_t>(events->size()) != log->events) {
      state.SkipWithError(events.ok() ? "ReadStream returned the wrong number of events"
                                      : events.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(events->back().seq);
  }
  SetRate(state, log->events);
}

// Figure 4: recompute the whole hash chain.
void SeamVerify(benchmark::State& state) {
  const ReplayLog* log = LogOrSkip(state);
  if (log == nullptr) return;
  std::unique_ptr<SqliteEventStore> store = OpenStore(state, log->path);
  if (store == nullptr) return;
  for (auto _ : state) {
    Result<VerifyReport> report = store->Verify();
    if (!report.ok()) {
      state.SkipWithError(report.status().ToString().c_str());
      break;
    }
    if (!report->intact || report->events_checked != log->events) {
      state.SkipWithError(("verify: " + report->reason).c_str());
      break;
    }
    benchmark::DoNotOptimize(report->head_hash);
  }
  SetRate(state, log->events);
}

// Baselines read every column of the same rows with raw SQLite: either the whole table in seq
// order (figure 4, and figure 3 for information) or the stream in version order through the
// stream index (figure 3: the same work as a replay).
void RawRead(benchmark::State& state, bool whole_table) {
  const ReplayLog* log = LogOrSkip(state);
  if (log == nullptr) return;
  std::string error;
  std::unique_ptr<RawDb> db = RawDb::Open(log->path, /*create=*/false, &error);
  if (db == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  for (auto _ : state) {
    std::int64_t rows = 0;
    std::uint64_t bytes = 0;
    const bool ok = whole_table ? db->ScanAll(&rows, &bytes, &error)
                                : db->ScanStream(kStream, &rows, &bytes, &error);
    if (!ok) {
      state.SkipWithError(error.c_str());
      break;
    }
    if (rows != log->events) {
      state.SkipWithError("raw read returned the wrong number of rows");
      break;
    }
    benchmark::DoNotOptimize(bytes);
  }
  SetRate(state, log->events);
}

void RawScan(benchmark::State& state) { RawRead(state, /*whole_table=*/true); }
void RawStreamSelect(benchmark::State& state) { RawRead(state, /*whole_table=*/false); }

}  // namespace

void RegisterReplayBenchmarks() {
  benchmark::RegisterBenchmark(kRawStreamSelect, RawStreamSelect)
      ->UseRealTime()->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(kRawScan, RawScan)->UseRealTime()->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(kSeamReplay, SeamReplayFold)
      ->UseRealTime()->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(kSeamReadStream, SeamReadStream)
      ->UseRealTime()->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(kSeamVerify, SeamVerify)->UseRealTime()->Unit(benchmark::kMillisecond);
}

}  // namespace seam::bench
