#pragma once
// Collecting benchmark results and turning them into the figures: a table printed after the
// Google Benchmark output, and a JSON summary (for `tools/dev bench`).

#include <map>
#include <set>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

namespace seam::bench {

// The counter every benchmark sets: events per wall-clock second (kIsRate, UseRealTime).
inline constexpr char kRateCounter[] = "events_per_s";

// Benchmark names (the functions registered in append_bench.cc and replay_bench.cc).
inline constexpr char kSeamAppendOne[] = "seam/append_one_durable";
inline constexpr char kRawAppendOne[] = "raw_sqlite/insert_one_durable";
inline constexpr char kSeamAppendBatch[] = "seam/append_batch_1000";
inline constexpr char kRawAppendBatch[] = "raw_sqlite/insert_batch_1000";
inline constexpr char kSeamReplay[] = "seam/replay_fold";
inline constexpr char kSeamVerify[] = "seam/verify";
inline constexpr char kRawScan[] = "raw_sqlite/select_scan";
inline constexpr char kRawStreamSelect[] = "raw_sqlite/select_stream";
inline constexpr char kSeamCheck[] = "seam/check_pairings";
inline constexpr char kSeamCheckSequential[] = "seam/check_pairings_one_side_at_a_time";
inline constexpr char kRawCheckIo[] = "raw_io/get_and_read_pairings";
// The PostgreSQL store (pg_bench.cc), beside raw libpq on the same server.
inline constexpr char kPgAppendOne[] = "pg/append_one_durable";
inline constexpr char kRawPgInsertOne[] = "raw_pg/insert_one_commit";
inline constexpr char kPgAppendBatch[] = "pg/append_batch_100";
inline constexpr char kRawPgInsertBatch[] = "raw_pg/insert_batch_100";
inline constexpr char kPgReplay[] = "pg/replay_fold";
inline constexpr char kRawPgSelect[] = "raw_pg/select_stream";
// One json-file side observation (file_side_bench.cc), beside open + read + nlohmann parse.
inline constexpr char kSeamObserveJsonFile[] = "seam/observe_json_file";
inline constexpr char kRawReadJsonFile[] = "raw_io/read_and_parse_json_file";
// One private key read (private_key_bench.cc), beside OpenSSL's PEM_read_bio_PrivateKey.
inline constexpr char kSeamReadPrivateKey[] = "seam/read_private_key";
inline constexpr char kRawReadPrivateKey[] = "raw_openssl/pem_read_private_key";
// Not a figure: ReadStream alone, to show how replay + fold splits between store and fold.
inline constexpr char kSeamReadStream[] = "seam/read_stream_only";

// A console reporter that also remembers each benchmark's rate counter (the median of the
// repetitions when a benchmark is repeated).
class CollectingReporter : public benchmark::ConsoleReporter {
 public:
  explicit CollectingReporter(OutputOptions options) : ConsoleReporter(options) {}
  void ReportRuns(const std::vector<Run>& reports) override;

  // benchmark name -> events/s. Failed benchmarks are absent and listed in errors().
  const std::map<std::string, double>& rates() const { return rates_; }
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::map<std::string, double> rates_;
  std::vector<std::string> errors_;
  std::set<std::string> failed_;
};

struct Figure {
  std::string id;       // stable name in summary.json
  std::string label;    // human name in the table
  double seam = 0;      // per second, in `unit`
  double baseline = 0;  // per second: the baseline doing the same work (raw SQLite, raw I/O)
  std::string unit;     // "events/s" | "seams/s" | "obs/s" | "keys/s"
  double ratio = 0;     // seam / baseline throughput (= baseline time / seam time)
  std::string goal;     // ">= 0.9" (ratio) or ">= 1000000 events/s" (absolute)
  bool meets_goal = false;
};

// The figures whose benchmarks both ran (a --benchmark_filter may leave some out).
std::vector<Figure> ComputeFigures(const std::map<std::string, double>& rates);

// Prints the table to stdout.
void PrintFigures(const std::vector<Figure>& figures, long long replay_events);

// Writes the JSON array to `path` (creating its directory). False, with *error, on failure.
bool WriteSummary(const std::vector<Figure>& figures, const std::string& path, std::string* error);

// env SEAM_BENCH_SUMMARY, else "bench/summary.json" (relative to the working directory).
std::string SummaryPath();

}  // namespace seam::bench
