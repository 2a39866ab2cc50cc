// Notification figures (issue 16), seamd as a real process and a real HTTP receiver on
// 127.0.0.1 (tests/e2e/http_receiver.h: one connection at a time, as a webhook endpoint):
//
//  1. Repair with notifications: N hand edits (SEAM_BENCH_NOTIFY_EDITS, default 1,000) of the
//     two-file seam, seamd with a webhook target for every kind that answers each POST after
//     20 ms, beside the same edits with no [[notify]] at all, in the same run. Goal: the repair
//     p99 unchanged (deliveries run on a thread of their own, never in a pass).
//  2. A storm: the scale fleet (SEAM_BENCH_SCALE_SEAMS, default 10,000 two-file seams) with a
//     webhook target for drift_opened and drift_closed; every seam's cli file rewritten at once.
//     Goal: every DriftOpened and DriftClosed the log records is delivered (each seq received,
//     counted once, none missing); printed: the time from the edits to the last repair and to
//     the last delivery, and the delivery rate.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>

#include <benchmark/benchmark.h>

#include "reconcilers/drift_events.h"
#include "store/sqlite_event_store.h"
#include "tests/bench/bench_env.h"
#include "tests/bench/bench_main.h"
#include "tests/bench/seamd_harness.h"
#include "tests/e2e/http_receiver.h"

namespace seam::bench {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

struct RepairFigures {
  int edits = 0;
  double with_p50_ms = 0, with_p99_ms = 0, without_p50_ms = 0, without_p99_ms = 0;
  std::size_t delivered = 0;
  bool ran = false;
};
struct StormFigures {
  int seams = 0;
  std::size_t expected = 0, delivered = 0, duplicates = 0, missing = 0;
  double last_repair_s = 0, last_delivery_s = 0;
  bool ran = false;
};
RepairFigures g_repair;
StormFigures g_storm;

std::string WebhookTable(const e2e::HttpReceiver& receiver, const std::string& on) {
  return "\n[[notify]]\nname = \"hook\"\non = " + on + "\nwebhook = \"" + receiver.url() + "\"\n";
}

// The seqs the receiver was given (X-Seam-Seq), with how many times each.
std::map<std::int64_t, int> ReceivedSeqs(const e2e::HttpReceiver& receiver, Steady::time_point* last = nullptr) {
  std::map<std::int64_t, int> seqs;
  for (const e2e::ReceivedRequest& r : receiver.Requests()) {
    auto h = r.headers.find("x-seam-seq");
    if (h != r.headers.end()) ++seqs[std::stoll(h->second)];
    if (last != nullptr) *last = std::max(*last, r.at);
  }
  return seqs;
}

void RepairWithNotifications(benchmark::State& state) {
  const int edits = EnvInt("SEAM_BENCH_NOTIFY_EDITS", 1000);
  for (auto _ : state) {
    e2e::HttpReceiver receiver;
    if (!receiver.Start()) {
      state.SkipWithError("cannot listen on 127.0.0.1");
      return;
    }
    receiver.set_delay(milliseconds(20));
    auto measure = [&](const std::string& tag, const std::string& notify) -> EditRun {
      const fs::path dir = fs::path(ScratchDir()) / tag;
      WriteText(dir / "seam.toml", std::string(kTwoFileConfig) + notify);
      WriteText(dir / "cli/paired.json", "{}\n");
      WriteText(dir / "gateway/state.json", "{}\n");
      if (!RunToEnd({SEAMCTL_PATH, "init"}, dir.string()) ||
          !RunToEnd({SEAMCTL_PATH, "token", "issue", "device-token"}, dir.string())) {
        return {{}, {}, "seamctl init / token issue failed"};
      }
      return MeasureEdits(
          dir, edits,
          [&](int i) { RenameReplace(dir / "cli/paired.json", "{\"token\": \"edit-" + std::to_string(i) + "\"}\n"); },
          [] { std::this_thread::sleep_for(milliseconds(2)); });
    };
    const auto start = Steady::now();
    EditRun without = measure("notify-none", "");
    EditRun with = measure("notify-hook",
                           WebhookTable(receiver, R"(["drift_opened", "drift_closed", "flapping", "expiring", "unreadable", "pending"])"));
    if (!without.error.empty() || !with.error.empty()) {
      state.SkipWithError((without.error.empty() ? "with notifications: " + with.error : "without: " + without.error).c_str());
      return;
    }
    state.SetIterationTime(std::chrono::duration<double>(Steady::now() - start).count());
    g_repair = {edits, Percentile(with.repair_ms, 0.5), Percentile(with.repair_ms, 0.99),
                Percentile(without.repair_ms, 0.5), Percentile(without.repair_ms, 0.99), receiver.Count(), true};
  }
  state.counters["repair_p99_ms"] = g_repair.with_p99_ms;
}

// Every DriftOpened / DriftClosed after `after`, by seq; the last DriftClosed's time.
struct DriftRecords {
  std::set<std::int64_t> seqs;
  int closed = 0;
  std::int64_t last_closed_us = 0;
};

Result<DriftRecords> ReadDriftRecords(SqliteEventStore& log, std::int64_t after) {
  DriftRecords r;
  for (std::int64_t at = after + 1;;) {
    SEAM_ASSIGN_OR_RETURN(std::vector<Event> events, log.ReadAll(at, 5000));
    if (events.empty()) return r;
    for (const Event& e : events) {
      at = e.seq + 1;
      if (e.type == drift::kDriftOpened) r.seqs.insert(e.seq);
      if (e.type == drift::kDriftClosed) {
        r.seqs.insert(e.seq);
        ++r.closed;
        r.last_closed_us = std::max(r.last_closed_us, e.time_us);
      }
    }
  }
}

void Storm(benchmark::State& state) {
  const int n = EnvInt("SEAM_BENCH_SCALE_SEAMS", 10000);
  for (auto _ : state) {
    e2e::HttpReceiver receiver;
    if (!receiver.Start()) {
      state.SkipWithError("cannot listen on 127.0.0.1");
      return;
    }
    const fs::path dir = fs::path(ScratchDir()) / "notify-storm";
    if (std::string error = BuildScaleFleet(dir, n, WebhookTable(receiver, R"(["drift_opened", "drift_closed"])"));
        !error.empty()) {
      state.SkipWithError(error.c_str());
      return;
    }
    Seamd seamd(dir, "seamd");
    if (!seamd.error().empty() || seamd.AwaitReady(milliseconds(120000)).empty()) {
      state.SkipWithError("seamd did not get ready within 120 s (notify storm)");
      return;
    }
    SqliteOpenOptions options;
    options.read_only = true;
    auto log = SqliteEventStore::Open((dir / ".seam/events.db").string(), options);
    if (!log.ok()) {
      state.SkipWithError(log.status().ToString().c_str());
      return;
    }
    Result<LogHead> head = (*log)->Head();
    if (!head.ok()) {
      state.SkipWithError(head.status().ToString().c_str());
      return;
    }
    const std::int64_t t0_us = NowUs();
    const Steady::time_point t0 = Steady::now();
    for (int i = 0; i < n; ++i) {
      RenameReplace(dir / "cli" / ("d" + std::to_string(i % 100)) / ("s" + std::to_string(i) + ".json"),
                    "{\"token\": \"storm-edit-" + std::to_string(i) + "\"}\n");
    }
    // Every seam's drift closed (repaired), then every drift record delivered.
    const Steady::time_point deadline = t0 + std::chrono::minutes(10);
    DriftRecords records;
    while (Steady::now() < deadline) {
      Result<DriftRecords> read = ReadDriftRecords(**log, head->seq);
      if (read.ok()) records = std::move(*read);
      if (records.closed >= n) break;
      std::this_thread::sleep_for(milliseconds(100));
    }
    if (records.closed < n) {
      state.SkipWithError(("only " + std::to_string(records.closed) + " of " + std::to_string(n) +
                           " drifts closed within 10 minutes").c_str());
      return;
    }
    StormFigures f;
    f.seams = n;
    f.expected = records.seqs.size();
    while (Steady::now() < deadline && receiver.Count() < f.expected) std::this_thread::sleep_for(milliseconds(50));
    std::this_thread::sleep_for(milliseconds(500));  // anything beyond the expected: a duplicate or a stranger
    Steady::time_point last = t0;
    const std::map<std::int64_t, int> got = ReceivedSeqs(receiver, &last);
    for (std::int64_t seq : records.seqs) {
      auto it = got.find(seq);
      if (it == got.end()) {
        ++f.missing;
      } else {
        ++f.delivered;
        f.duplicates += static_cast<std::size_t>(it->second - 1);
      }
    }
    f.last_repair_s = static_cast<double>(records.last_closed_us - t0_us) / 1e6;
    f.last_delivery_s = std::chrono::duration<double>(last - t0).count();
    f.ran = true;
    g_storm = f;
    if (f.missing > 0) {
      state.SkipWithError((std::to_string(f.missing) + " of " + std::to_string(f.expected) +
                           " drift notifications never arrived").c_str());
      return;
    }
    state.SetIterationTime(f.last_delivery_s);
  }
  state.counters["delivered"] = static_cast<double>(g_storm.delivered);
  state.counters["last_delivery_s"] = g_storm.last_delivery_s;
}

}  // namespace

void RegisterNotifyBenchmarks() {
  benchmark::RegisterBenchmark("notify/repair_latency", RepairWithNotifications)
      ->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("notify/storm", Storm)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
}

void PrintNotifyFigures() {
  if (g_repair.ran) {
    const RepairFigures& r = g_repair;
    std::printf("\nseamd repair with a webhook target (%d hand edits of a json-file seam; the receiver answers after 20 ms; "
                "%zu notifications delivered)\n",
                r.edits, r.delivered);
    std::printf("  %-22s %12s %16s %8s\n", "figure", "notifying", "none (base)", "ratio");
    std::printf("  %-22s %9.3f ms %13.3f ms %8.2f\n", "repair p50", r.with_p50_ms, r.without_p50_ms,
                r.with_p50_ms / std::max(r.without_p50_ms, 1e-3));
    std::printf("  %-22s %9.3f ms %13.3f ms %8.2f  unchanged (ratio <= 1.2): %s\n", "repair p99", r.with_p99_ms,
                r.without_p99_ms, r.with_p99_ms / std::max(r.without_p99_ms, 1e-3),
                r.with_p99_ms <= 1.2 * r.without_p99_ms ? "met" : "NOT met");
  }
  if (g_storm.ran) {
    const StormFigures& s = g_storm;
    std::printf("\nnotification storm (%d seams drifting at once; webhook target for drift_opened and drift_closed)\n",
                s.seams);
    std::printf("  %-30s %zu of %zu (missing %zu, duplicates %zu)  all delivered: %s\n", "delivered", s.delivered,
                s.expected, s.missing, s.duplicates, s.missing == 0 ? "met" : "NOT met");
    std::printf("  %-30s %10.2f s  (last repair, the baseline: %.2f s; ratio %.2f)\n", "edits to the last delivery",
                s.last_delivery_s, s.last_repair_s, s.last_delivery_s / std::max(s.last_repair_s, 1e-3));
    std::printf("  %-30s %10.0f /s\n", "delivery rate", static_cast<double>(s.delivered) / std::max(s.last_delivery_s, 1e-3));
  }
}

}  // namespace seam::bench
