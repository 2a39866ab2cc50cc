#pragma once
// What the benchmarks that run seamd as a real process share (seamd_bench.cc, notify_bench.cc):
// seamd started with a $NOTIFY_SOCKET of its own, a hand edit timed until seamd has repaired
// it (from the events it records), and the scale fleet of N two-file seams.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace seam::bench {

// A positive integer from the environment, else `fallback`.
int EnvInt(const char* name, int fallback);
void WriteText(const std::filesystem::path& path, const std::string& text);
// Written beside, then renamed over `file`: how editors and config tools replace a file.
void RenameReplace(const std::filesystem::path& file, const std::string& content);
// The p-th percentile (0..1) by nearest rank; 0 for no values.
double Percentile(std::vector<double> v, double p);

// seamd as a child process, in `dir` with `dir`/seam.toml, its output in `dir`/<tag>.log, with
// a notify socket of its own to learn when it is ready. SIGTERM and waited for when destroyed.
// SEAM_BENCH_SEAMD_LOG=debug sets its log level (default warn): the log tells where a slow
// repair's time went.
class Seamd {
 public:
  Seamd(const std::filesystem::path& dir, const std::string& tag);
  ~Seamd();
  Seamd(const Seamd&) = delete;
  Seamd& operator=(const Seamd&) = delete;

  const std::string& error() const { return error_; }
  pid_t pid() const { return pid_; }
  // The READY=1 message's STATUS, or "" after `deadline`.
  std::string AwaitReady(std::chrono::milliseconds deadline);
  // VmRSS from /proc, in MiB.
  double RssMiB() const;
  // User + system CPU seconds used so far.
  double CpuSeconds() const;

 private:
  double ProcStatusKb(const std::string& key) const;

  std::filesystem::path dir_;
  std::filesystem::path socket_path_;
  int fd_ = -1;
  pid_t pid_ = 0;
  std::string error_;
};

// The detection and repair latencies (ms) of each edit, or an error.
struct EditRun {
  std::vector<double> detect_ms, repair_ms;
  std::string error;
};

// Starts seamd in `dir`, then `edits` times: before_each(), edit(i), and waits for the drift of
// `stream` to be recorded, repaired and closed. Detection = DriftOpened.first_seen_at - the
// moment before the edit; repair = the SideRepaired event's time - the same moment.
EditRun MeasureEdits(const std::filesystem::path& dir, int edits, const std::function<void(int)>& edit,
                     const std::function<void()>& before_each, const std::string& stream = "token/device-42",
                     std::chrono::milliseconds ready_within = std::chrono::milliseconds(30000));

// One token seam "device-token" (stream token/device-42) over two json-file sides,
// gateway/state.json and cli/paired.json at /token, repair budget off.
extern const char kTwoFileConfig[];

// The scale fleet in `dir`: N token seams s0..sN-1, two json-file sides each (gw/dK/sI.json and
// cli/dK/sI.json, 100 directories per side), every seam issued and both files holding its
// token (one append per seam). `extra_toml` goes after [store] (e.g. [[notify]] tables).
// Returns "" or what failed.
std::string BuildScaleFleet(const std::filesystem::path& dir, int n, const std::string& extra_toml = "");
// The token BuildScaleFleet gave seam `i`.
std::string FleetToken(int i);

}  // namespace seam::bench
