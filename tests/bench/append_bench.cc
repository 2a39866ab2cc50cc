// Figures 1 and 2: durable appends, one event per call and 1000 events per call, against raw
// SQLite INSERTs of the same rows with the same PRAGMAs (WAL, synchronous=FULL).

#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "reconcilers/token/token_events.h"
#include "store/sqlite_event_store.h"
#include "tests/bench/bench_env.h"
#include "tests/bench/bench_main.h"
#include "tests/bench/raw_sqlite.h"
#include "tests/bench/summary.h"

namespace seam::bench {
namespace {

constexpr int kBatch = 1000;

std::unique_ptr<SqliteEventStore> OpenFreshStore(benchmark::State& state, const std::string& path) {
  SqliteOpenOptions options;
  options.create_if_missing = true;
  Result<std::unique_ptr<SqliteEventStore>> store = SqliteEventStore::Open(path, options);
  if (!store.ok()) {
    state.SkipWithError(store.status().ToString().c_str());
    return nullptr;
  }
  return std::move(store).value();
}

std::vector<EventDraft> Drafts(int n) {
  std::vector<EventDraft> drafts(static_cast<std::size_t>(n));
  std::int64_t t = NowUs();
  for (EventDraft& d : drafts) {
    d.type = token::kTokenRotated;
    d.actor = kActor;
    d.time_us = ++t;
    d.payload = SamplePayload();
  }
  return drafts;
}

// Appends `per_call` events per Append call, each call one durable transaction.
void SeamAppend(benchmark::State& state, int per_call) {
  const std::string path = NewDbPath("seam-append");
  std::unique_ptr<SqliteEventStore> store = OpenFreshStore(state, path);
  if (store != nullptr) {
    const std::string stream = kStream;
    const std::vector<EventDraft> drafts = Drafts(per_call);
    std::int64_t version = 0;
    for (auto _ : state) {
      Result<AppendResult> r = store->Append(stream, version, drafts);
      if (!r.ok()) {
        state.SkipWithError(r.status().ToString().c_str());
        break;
      }
      version = r->last_version;
    }
    state.counters[kRateCounter] = benchmark::Counter(
        static_cast<double>(state.iterations()) * per_call, benchmark::Counter::kIsRate);
  }
  store.reset();
  RemoveDb(path);
}

// The same rows through raw SQLite: per_call == 1 is one autocommit INSERT, otherwise one
// BEGIN .. COMMIT around per_call executions of the prepared INSERT.
void RawAppend(benchmark::State& state, int per_call) {
  const std::string path = NewDbPath("raw-append");
  std::string error;
  std::unique_ptr<RawDb> db = RawDb::Open(path, /*create=*/true, &error);
  if (db == nullptr) {
    state.SkipWithError(error.c_str());
  } else {
    RawRow row = SampleRawRow();
    for (auto _ : state) {
      bool ok;
      if (per_call == 1) {
        ++row.seq;
        ++row.version;
        ++row.time_us;
        ok = db->InsertOne(row, &error);
      } else {
        ok = db->InsertBatch(row, per_call, &error);
      }
      if (!ok) {
        state.SkipWithError(error.c_str());
        break;
      }
    }
    state.counters[kRateCounter] = benchmark::Counter(
        static_cast<double>(state.iterations()) * per_call, benchmark::Counter::kIsRate);
  }
  db.reset();
  RemoveDb(path);
}

}  // namespace

void RegisterAppendBenchmarks() {
  // Wall-clock time: an fsync-bound benchmark spends most of its time off the CPU. fsync latency
  // swings a lot on a shared disk, so each runs three times and the figure is the median.
  benchmark::RegisterBenchmark(kSeamAppendOne, [](benchmark::State& s) { SeamAppend(s, 1); })
      ->UseRealTime()->MinTime(0.5)->Repetitions(3)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(kRawAppendOne, [](benchmark::State& s) { RawAppend(s, 1); })
      ->UseRealTime()->MinTime(0.5)->Repetitions(3)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(kSeamAppendBatch, [](benchmark::State& s) { SeamAppend(s, kBatch); })
      ->UseRealTime()->MinTime(0.5)->Repetitions(3)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(kRawAppendBatch, [](benchmark::State& s) { RawAppend(s, kBatch); })
      ->UseRealTime()->MinTime(0.5)->Repetitions(3)->Unit(benchmark::kMillisecond);
}

}  // namespace seam::bench
