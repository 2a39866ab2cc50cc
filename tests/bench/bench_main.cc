// seam_bench: the Google Benchmark programs of seam (run by `tools/dev bench`, never by ctest).
//
// Every seam figure is measured beside a raw-SQLite baseline doing the same work in the same run;
// after the usual benchmark output comes a table of figures with their ratio (seam/raw
// throughput, higher is better) and goal, also written as JSON to $SEAM_BENCH_SUMMARY
// (default: bench/summary.json under the working directory).
//
// Environment: SEAM_BENCH_EVENTS (default 1000000) sizes the replay/verify log;
// SEAM_BENCH_SEAMS (default 1000) the check pass's pairing seams; SEAM_BENCH_EDITS (1000),
// SEAM_BENCH_POLL_EDITS (6) and SEAM_BENCH_SCALE_SEAMS (10000) size seamd's figures;
// SEAM_BENCH_AUDIT_EVENTS (1000000) and SEAM_BENCH_AUDIT_SEAMS (10000) the audit log;
// SEAM_BENCH_PG_EVENTS (1000000) the PostgreSQL replay log; SEAM_BENCH_ROTATIONS (100),
// SEAM_BENCH_FAILOVERS (20) and SEAM_BENCH_PAUSES (200) the agents' figures;
// TMPDIR chooses where the scratch databases go (removed at exit).
// Exit status: 0 when every selected benchmark ran (goals missed or not), 1 when one failed or
// the summary could not be written.

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include <benchmark/benchmark.h>

#include "tests/bench/bench_env.h"
#include "tests/bench/bench_main.h"
#include "tests/bench/summary.h"

int main(int argc, char** argv) {
  using namespace seam::bench;
  RegisterAppendBenchmarks();
  RegisterReplayBenchmarks();
  RegisterCheckBenchmarks();
  RegisterSeamdBenchmarks();
  RegisterAuditBenchmarks();
  RegisterCertBenchmarks();
  RegisterPgBenchmarks();
  RegisterAgentsBenchmarks();
  RegisterNotifyBenchmarks();
  RegisterFileSideBenchmarks();
  RegisterPrivateKeyBenchmarks();
  RegisterDiscoverBenchmarks();
  // A custom display reporter does not see --benchmark_color, so honour it (and a non-tty) here.
  bool color = isatty(STDOUT_FILENO) == 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--benchmark_color=false") == 0 ||
        std::strcmp(argv[i], "--benchmark_color=no") == 0) {
      color = false;
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  CollectingReporter reporter(color ? benchmark::ConsoleReporter::OO_ColorTabular
                                    : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  RemoveScratchDir();

  int rc = 0;
  for (const std::string& e : reporter.errors()) {
    std::fprintf(stderr, "seam_bench: error: %s\n", e.c_str());
    rc = 1;
  }
  const std::vector<Figure> figures = ComputeFigures(reporter.rates());
  PrintFigures(figures, static_cast<long long>(ReplayEventCount()));
  PrintSeamdFigures();
  PrintAuditFigures();
  PrintCertFigures();
  PrintAgentsFigures();
  PrintNotifyFigures();
  PrintDiscoverFigures();
  const std::string path = SummaryPath();
  std::string error;
  if (!WriteSummary(figures, path, &error)) {
    std::fprintf(stderr, "seam_bench: error: %s\n", error.c_str());
    return 1;
  }
  std::printf("summary: %s\n", path.c_str());
  return rc;
}
