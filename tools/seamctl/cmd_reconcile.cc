// seamctl check and seamctl repair: run the reconcile pass over the named (or all) seams.
#include <iostream>
#include <optional>

#include "reconcilers/reconcile_pass.h"
#include "tools/common/side_observer.h"
#include "tools/common/state_context.h"
#include "tools/common/time_arg.h"
#include "tools/seamctl/commands.h"
#include "tools/common/report_output.h"

namespace seam::seamctl {
namespace {

int RunPasses(const GlobalOptions& g, const std::vector<std::string>& names, PassMode mode, bool json,
              const PassOptions& options = {}, Deadline deadline = kNoDeadline) {
  OpenMode open_mode;
  open_mode.read_only = mode == PassMode::kCheck;  // check never writes, not even the log's files
  // `check SEAM` parses only that seam's table when the config index knows the config. A repair
  // reads the whole config: it writes, and the index is a cache.
  if (mode == PassMode::kCheck && names.size() == 1) open_mode.only_seam = names.front();
  Result<std::unique_ptr<StateContext>> opened = OpenState(g.config, open_mode);
  if (!opened.ok()) return Fail(opened.status());
  StateContext& ctx = **opened;

  // Resolve every name before doing any work, so a typo does not leave half the seams repaired.
  std::vector<const SeamConfig*> seams;
  if (names.empty()) {
    for (const SeamConfig& s : ctx.config.seams) seams.push_back(&s);
  } else {
    for (const std::string& name : names) {
      Result<const SeamConfig*> seam = ctx.FindSeam(name);
      if (!seam.ok()) return Fail(seam.status());
      seams.push_back(*seam);
    }
  }

  const bool with_actions = mode != PassMode::kCheck;
  int code = 0;
  nlohmann::ordered_json out = {{"seams", nlohmann::ordered_json::array()}};
  if (with_actions) out["dry_run"] = mode == PassMode::kDryRun;
  SeamContext sc = ctx.Seam();
  // check observes every side of every seam at once, then judges seam by seam. A repair
  // observes each seam's sides inside its pass, under the seam's lock, so that what it decides
  // on is as fresh as possible.
  std::vector<std::vector<Observation>> observed;
  if (mode == PassMode::kCheck) observed = ObserveAll(seams, DefaultObserverThreads(), deadline);
  for (std::size_t i = 0; i < seams.size(); ++i) {
    const SeamConfig* seam = seams[i];
    // A repair holds the seam's writer lock for its whole pass (core/store.h Store::LockStream).
    std::optional<Result<std::unique_ptr<WriterLock>>> lock;
    if (mode == PassMode::kRepair) lock.emplace(ctx.LockSeam(*seam));
    Result<SeamReport> report = Status::Internal("not run");
    if (lock && !lock->ok()) {
      report = lock->status();
    } else {
      report = RunPass(sc, *seam, mode,
                       observed.empty() ? std::vector<Observation>{} : std::move(observed[i]), options);
    }
    if (!report.ok()) {
      // The seam could not be locked or its log replayed: report it as trouble (or, when busy,
      // retryable) and go on with the others.
      SeamReport failed;
      failed.name = seam->name;
      failed.kind = seam->kind;
      failed.entity = seam->entity;
      failed.status = "unknown";
      failed.intended_state = "unknown";
      failed.retryable = ExitCodeFor(report.status()) == 3;
      failed.errors.push_back(report.status().message());
      report = std::move(failed);
    }
    // Trouble also gets the one-line error on stderr, so scripts that only show stderr see why.
    for (const SideReport& side : report->sides) {
      if (side.judgement.verdict == Verdict::kUnreadable) {
        std::cerr << "seamctl: error: seam " << seam->name << ": side " << side.name
                  << " is unreadable: " << side.judgement.detail << "; fix the side, then run `seamctl "
                  << (mode == PassMode::kCheck ? "check" : "repair") << " " << seam->name << "`\n";
      }
    }
    for (const std::string& error : report->errors) {
      const std::string prefix = "seam " + seam->name + ": ";
      std::cerr << "seamctl: error: " << (error.rfind(prefix, 0) == 0 ? "" : prefix) << error << "\n";
    }
    code = std::max(code, report->ExitCode());
    if (json) {
      out["seams"].push_back(SeamReportJson(*report, with_actions));
    } else {
      PrintSeamReport(std::cout, *report, with_actions);
    }
  }
  if (json) std::cout << DumpJson(out, 2) << "\n";
  return code;
}

}  // namespace

int RunCheck(const GlobalOptions& g, const std::vector<std::string>& seams, bool json,
             const std::string& deadline_arg) {
  Deadline deadline = kNoDeadline;
  if (!deadline_arg.empty()) {
    // Counted from here: reading the config and the log is part of the wait a caller allows.
    Result<std::chrono::milliseconds> wait = ParseDurationArg("--deadline", deadline_arg);
    if (!wait.ok()) return Fail(wait.status());
    deadline = std::chrono::steady_clock::now() + *wait;
  }
  return RunPasses(g, seams, PassMode::kCheck, json, {}, deadline);
}

int RunRepair(const GlobalOptions& g, const std::vector<std::string>& seams, bool dry_run, bool json,
              bool force) {
  PassOptions options;
  options.force = force;
  return RunPasses(g, seams, dry_run ? PassMode::kDryRun : PassMode::kRepair, json, options);
}

}  // namespace seam::seamctl
