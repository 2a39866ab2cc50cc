#include "tests/bench/summary.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

#include <nlohmann/json.hpp>

namespace seam::bench {
namespace {

struct FigureSpec {
  const char* id;
  const char* label;
  const char* seam;
  const char* baseline;
  double goal;         // minimum ratio, or minimum events/s when absolute
  bool absolute_goal;  // goal applies to the seam figure itself, not the ratio
  const char* unit = "events/s";
};

constexpr FigureSpec kSpecs[] = {
    {"durable_single_append", "durable single append", kSeamAppendOne, kRawAppendOne, 0.9, false},
    {"batched_append_1000", "batched append (1000/call)", kSeamAppendBatch, kRawAppendBatch, 0.5,
     false},
    // "The same work" for a replay is reading that stream's rows in version order (through the
    // stream index, as seam must with many seams in one log). The full-table sequential scan is
    // printed too, as information: no per-stream read can match it. Goal: issue 13, item 8.
    {"replay_fold", "replay + fold", kSeamReplay, kRawStreamSelect, 0.6, false},
    {"replay_fold_vs_full_scan", "replay + fold (vs full scan)", kSeamReplay, kRawScan, 0, false},
    {"verify", "verify", kSeamVerify, kRawScan, 1e6, true},
    // Baseline: the same GETs and file reads without seam (the I/O floor of a check pass).
    {"check_pairings", "check pass, pairing seams", kSeamCheck, kRawCheckIo, 2000, true, "seams/s"},
    {"check_pairings_one_side_at_a_time", "  same, sides one at a time", kSeamCheckSequential,
     kRawCheckIo, 0, false, "seams/s"},
    // One file side observed, against reading and parsing the same file (information).
    {"observe_json_file", "observe one json-file side", kSeamObserveJsonFile, kRawReadJsonFile, 0, false,
     "obs/s"},
    // One private key read, against OpenSSL's own reader (information).
    {"read_private_key", "read one private key", kSeamReadPrivateKey, kRawReadPrivateKey, 0, false, "keys/s"},
    // PostgreSQL, against raw libpq on the same server (issue 15's goals).
    {"pg_durable_single_append", "pg: durable single append", kPgAppendOne, kRawPgInsertOne, 0.7, false},
    {"pg_batched_append_100", "pg: batched append (100/call)", kPgAppendBatch, kRawPgInsertBatch, 20000, true},
    {"pg_replay_fold", "pg: replay + fold", kPgReplay, kRawPgSelect, 0.5, false},
};

std::string Rate(double v, const std::string& unit) {
  const char* u = unit == "events/s" ? "ev/s" : unit.c_str();
  char buf[64];
  if (v >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.2fM %s", v / 1e6, u);
  } else if (v >= 1e4) {
    std::snprintf(buf, sizeof buf, "%.1fk %s", v / 1e3, u);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f %s", v, u);
  }
  return buf;
}

}  // namespace

void CollectingReporter::ReportRuns(const std::vector<Run>& reports) {
  ConsoleReporter::ReportRuns(reports);
  // With repetitions, the median aggregate (reported after the repetitions) is the figure.
  for (const Run& run : reports) {
    const std::string name = run.run_name.function_name;
    if (run.error_occurred) {
      errors_.push_back(name + ": " + run.error_message);
      failed_.insert(name);
      rates_.erase(name);
      continue;
    }
    if (failed_.count(name) != 0) continue;
    if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "median") continue;
    auto it = run.counters.find(kRateCounter);
    if (it != run.counters.end()) rates_[name] = it->second.value;
  }
}

std::vector<Figure> ComputeFigures(const std::map<std::string, double>& rates) {
  std::vector<Figure> out;
  for (const FigureSpec& spec : kSpecs) {
    auto seam = rates.find(spec.seam);
    auto base = rates.find(spec.baseline);
    if (seam == rates.end() || base == rates.end()) continue;
    Figure f;
    f.id = spec.id;
    f.label = spec.label;
    f.unit = spec.unit;
    f.seam = seam->second;
    f.baseline = base->second;
    f.ratio = f.baseline > 0 ? f.seam / f.baseline : 0;
    char goal[64];
    if (spec.absolute_goal) {
      std::snprintf(goal, sizeof goal, ">= %.0f %s", spec.goal, spec.unit);
      f.meets_goal = f.seam >= spec.goal;
    } else if (spec.goal > 0) {
      std::snprintf(goal, sizeof goal, ">= %g", spec.goal);
      f.meets_goal = f.ratio >= spec.goal;
    } else {
      std::snprintf(goal, sizeof goal, "(information)");
      f.meets_goal = true;
    }
    f.goal = goal;
    out.push_back(f);
  }
  return out;
}

void PrintFigures(const std::vector<Figure>& figures, long long replay_events) {
  std::printf("\nseam vs its baseline, same run (ratio = seam/baseline throughput; higher is better)\n");
  std::printf("baseline: raw SQLite for the log figures, raw libpq on the same server for pg:, raw GET + file read "
              "for the check pass, open+read+parse for a file side, PEM_read_bio_PrivateKey for a key read\n");
  std::printf("replay/verify log: %lld events\n", replay_events);
  std::printf("%-30s %-16s %-16s %-7s %s\n", "figure", "seam", "baseline", "ratio", "goal");
  for (const Figure& f : figures) {
    std::printf("%-30s %-16s %-16s %-7.2f %-20s %s\n", f.label.c_str(), Rate(f.seam, f.unit).c_str(),
                Rate(f.baseline, f.unit).c_str(), f.ratio, f.goal.c_str(), f.meets_goal ? "ok" : "MISSED");
  }
  std::fflush(stdout);
}

bool WriteSummary(const std::vector<Figure>& figures, const std::string& path, std::string* error) {
  nlohmann::json doc = nlohmann::json::array();
  for (const Figure& f : figures) {
    doc.push_back({{"name", f.id},
                   {"seam", f.seam},
                   {"baseline", f.baseline},
                   {"unit", f.unit},
                   {"ratio", f.ratio},
                   {"goal", f.goal},
                   {"meets_goal", f.meets_goal}});
  }
  const std::filesystem::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
  if (ec) {
    *error = "cannot create " + p.parent_path().string() + ": " + ec.message();
    return false;
  }
  std::ofstream out(p, std::ios::trunc);
  out << doc.dump(2) << "\n";
  out.close();
  if (!out) {
    *error = "cannot write " + path;
    return false;
  }
  return true;
}

std::string SummaryPath() {
  const char* env = std::getenv("SEAM_BENCH_SUMMARY");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string("bench/summary.json");
}

}  // namespace seam::bench
