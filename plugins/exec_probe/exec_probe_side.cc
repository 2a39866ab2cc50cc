#include "plugins/exec_probe/exec_probe_side.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/common/argv_option.h"
#include "plugins/common/errno_text.h"
#include "plugins/common/probe_loop.h"
#include "plugins/common/probe_options.h"
#include "plugins/common/stderr_line.h"
#include "plugins/common/subprocess.h"

namespace seam {
namespace {

constexpr std::chrono::milliseconds kDefaultTimeout{5000};
constexpr std::chrono::milliseconds kMaxTimeout{600000};

struct ExecProbeConfig {
  std::vector<std::string> probe;
  std::optional<std::vector<std::string>> write;
  std::optional<std::vector<std::string>> remove;
  std::size_t history = kDefaultProbeHistory;
  std::string field;
  std::chrono::milliseconds timeout = kDefaultTimeout;
  std::filesystem::path cwd;
  std::vector<std::string> env;  // without SEAM_VERSION
};

class ExecProbeSide final : public Side {
 public:
  explicit ExecProbeSide(ExecProbeConfig config) : config_(std::move(config)) {}

  using Side::Observe;
  Observation Observe(Deadline deadline) override;
  std::vector<std::string> Fields() const override { return {config_.field}; }
  Status Write(const Record& record, const ChangeMarker& expected) override;
  Status Remove(const ChangeMarker& expected) override;
  Status CheckWritable() override;
  bool Writable() const override { return config_.write.has_value(); }
  bool Probes() const override { return true; }
  void SetCandidateSource(CandidateSource source) override {
    std::lock_guard<std::mutex> lock(mu_);
    source_ = std::move(source);
  }
  std::string Describe() const override { return "exec-probe " + config_.probe.front(); }

 private:
  SubprocessRequest Request(const std::vector<std::string>& argv, std::optional<std::string_view> input,
                            std::int64_t version) const {
    SubprocessRequest request;
    request.argv = argv;
    request.env = config_.env;
    if (version > 0) request.env.push_back("SEAM_VERSION=" + std::to_string(version));
    request.cwd = config_.cwd;
    request.stdin_data = input;
    request.timeout = config_.timeout;
    return request;
  }
  ProbeAnswer Ask(const Secret& value, std::int64_t version, Deadline deadline) const;
  // Runs `argv` (write or remove) to its end; IoError naming how it failed.
  Status Run(const std::vector<std::string>& argv, const Secret* value, std::int64_t version) const;

  ExecProbeConfig config_;
  mutable std::mutex mu_;
  CandidateSource source_;
};

// "`prog`: exited 3: <stderr's telling line>", never showing `value` nor a token-like line.
std::string RunFailure(const SubprocessRequest& request, const Result<SubprocessResult>& run, std::string_view value) {
  std::string reason = "`" + request.argv.front() + "`: ";
  if (!run.ok()) return reason + run.status().message();
  reason += DescribeEnd(*run, request);
  if (run->end == SubprocessResult::End::kExited || run->end == SubprocessResult::End::kSignaled) {
    std::string line = StderrTellingLine(run->stderr_bytes, {value}, /*withhold_token_like=*/true);
    if (!line.empty()) reason += ": " + line;
  }
  return reason;
}

ProbeAnswer ExecProbeSide::Ask(const Secret& value, std::int64_t version, Deadline deadline) const {
  SubprocessRequest request = Request(config_.probe, value.Reveal(), version);
  const WaitBudget budget = BudgetFor(config_.timeout, deadline);
  if (budget.Expired()) return ProbeAnswer::Unknown(DeadlineReason(budget));
  request.timeout = budget.allowed;
  Result<SubprocessResult> run = RunSubprocess(request);
  if (run.ok() && run->end == SubprocessResult::End::kExited && run->exit_code == 0) return ProbeAnswer::Accepted();
  if (run.ok() && run->end == SubprocessResult::End::kExited && run->exit_code == 1) return ProbeAnswer::Rejected();
  if (run.ok() && run->end == SubprocessResult::End::kTimedOut && budget.cut) return ProbeAnswer::Unknown(DeadlineReason(budget));
  return ProbeAnswer::Unknown(RunFailure(request, run, value.Reveal()));  // the loop adds "exec-probe: "
}

Observation ExecProbeSide::Observe(Deadline deadline) {
  CandidateSource source;
  {
    std::lock_guard<std::mutex> lock(mu_);
    source = source_;
  }
  Observation obs = ProbeNewestFirst(source, config_.history, config_.field, "exec-probe", deadline,
                                     [this](const Secret& value, std::int64_t version, Deadline d) {
                                       return Ask(value, version, d);
                                     });
  return obs;
}

Status ExecProbeSide::Run(const std::vector<std::string>& argv, const Secret* value, std::int64_t version) const {
  const std::optional<std::string_view> input =
      value != nullptr ? std::optional<std::string_view>(value->Reveal()) : std::nullopt;
  const SubprocessRequest request = Request(argv, input, version);
  Result<SubprocessResult> run = RunSubprocess(request);
  if (run.ok() && run->ok()) return Status::Ok();
  return Status::IoError("exec-probe " + RunFailure(request, run, value != nullptr ? value->Reveal() : std::string_view()));
}

Status ExecProbeSide::Write(const Record& record, const ChangeMarker& expected) {
  if (!config_.write) return Status::FailedPrecondition(Describe() + " has no `write` command: seam can only ask it");
  auto it = record.find(config_.field);
  if (it == record.end()) return Status::Ok();  // none of the side's fields to store
  Observation now = Observe(kNoDeadline);
  if (now.state == Observation::State::kUnreadable) return Status::IoError(now.reason + "; not writing");
  // From here to the end of `write` another writer's change is not caught (as for exec sides).
  if (now.marker != expected) return Status::FailedPrecondition(Describe() + " changed since it was observed; not writing");
  return Run(*config_.write, &it->second, 0);
}

Status ExecProbeSide::Remove(const ChangeMarker& expected) {
  if (!config_.remove) {
    return Status::FailedPrecondition(Describe() + " has no `remove` command: seam cannot make the service drop the value");
  }
  Observation now = Observe(kNoDeadline);
  if (now.state == Observation::State::kUnreadable) return Status::IoError(now.reason + "; not removing");
  if (now.marker != expected) return Status::FailedPrecondition(Describe() + " changed since it was observed; not removing");
  return Run(*config_.remove, nullptr, 0);
}

Status ExecProbeSide::CheckWritable() {
  if (!config_.write) return Status::Ok();  // observe-only: operations skip it
  struct stat st {};
  if (::stat(config_.cwd.c_str(), &st) != 0) {
    return Status::FailedPrecondition("exec-probe: working directory `" + config_.cwd.string() + "`: " + ErrnoText(errno));
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::FailedPrecondition("exec-probe: working directory `" + config_.cwd.string() + "` is not a directory");
  }
  std::vector<const std::vector<std::string>*> programs = {&config_.probe, &*config_.write};
  if (config_.remove) programs.push_back(&*config_.remove);
  for (const std::vector<std::string>* argv : programs) {
    Result<std::filesystem::path> found = ResolveProgram(argv->front(), config_.cwd, PathOf(config_.env));
    if (!found.ok()) return Status::FailedPrecondition("exec-probe: " + found.status().message());
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Side>> MakeExecProbeSide(SideOptions& options) {
  ExecProbeConfig config;
  SEAM_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> probe, TakeArgv(options, "probe", true));
  SEAM_ASSIGN_OR_RETURN(config.write, TakeArgv(options, "write", false));
  SEAM_ASSIGN_OR_RETURN(config.remove, TakeArgv(options, "remove", false));
  SEAM_ASSIGN_OR_RETURN(config.history, TakeProbeHistory(options));
  SEAM_ASSIGN_OR_RETURN(config.field, TakeProbeField(options));
  SEAM_ASSIGN_OR_RETURN(config.timeout, TakeTimeoutMs(options, kDefaultTimeout, kMaxTimeout));
  SEAM_ASSIGN_OR_RETURN(std::optional<std::filesystem::path> cwd, options.TakePath("cwd", false));
  SEAM_RETURN_IF_ERROR(options.RejectUnknown());
  config.probe = std::move(*probe);
  config.cwd = cwd ? std::move(*cwd) : options.base_dir();
  if (config.cwd.empty()) config.cwd = ".";  // a config named without a directory: the current one
  config.env = {"PATH=" + options.hook_path(), "LANG=C.UTF-8", "SEAM_SEAM=" + options.seam(),
                "SEAM_SIDE=" + options.side()};
  return std::unique_ptr<Side>(std::make_unique<ExecProbeSide>(std::move(config)));
}

}  // namespace seam
