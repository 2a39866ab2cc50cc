#include "plugins/exec/exec_side.h"

#include <sys/stat.h>

#include <cerrno>
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto.h"
#include "plugins/common/errno_text.h"
#include "plugins/common/wipe.h"
#include "plugins/exec/exec_options.h"
#include "plugins/exec/exec_protocol.h"
#include "plugins/common/stderr_line.h"
#include "plugins/common/subprocess.h"

namespace seam {
namespace {

constexpr std::string_view kMissingMarker = "missing";

// Every value of `record`, to keep out of messages.
void AddValues(const Record& record, std::vector<std::string_view>& out) {
  for (const auto& [name, value] : record) out.push_back(value.Reveal());
}

// A marker that changes exactly when the fields read do: a digest of them, never the values.
ChangeMarker MarkerOf(const Record& record, const ExecFields& fields) {
  if (fields.single) return ChangeMarker{"value:" + Sha256Hex(record.begin()->second.Reveal())};
  // Length-prefixed, so that no two records encode alike.
  std::string encoded;
  for (const auto& [name, value] : record) {
    AppendWiping(encoded, name + ":" + std::to_string(value.size()) + ":");
    AppendWiping(encoded, value.Reveal());
  }
  ChangeMarker marker{"fields:" + Sha256Hex(encoded)};
  WipeString(encoded);
  return marker;
}

class ExecSide final : public Side {
 public:
  explicit ExecSide(ExecSideConfig config) : config_(std::move(config)) {
    env_ = {"PATH=" + config_.path, "LANG=C.UTF-8",
            "SEAM_SEAM=" + config_.seam, "SEAM_SIDE=" + config_.side};
  }

  using Side::Observe;
  Observation Observe(Deadline deadline) override { return Read({}, deadline); }
  std::vector<std::string> Fields() const override { return config_.fields.names; }
  Status Write(const Record& record, const ChangeMarker& expected) override {
    return Store(&record, expected);
  }
  Status Remove(const ChangeMarker& expected) override { return Store(nullptr, expected); }
  Status CheckWritable() override;
  std::string Describe() const override { return "exec " + config_.read.front(); }

 private:
  SubprocessRequest Request(const std::vector<std::string>& argv,
                            std::optional<std::string_view> input) const {
    SubprocessRequest request;
    request.argv = argv;
    request.env = env_;
    request.cwd = config_.cwd;
    request.stdin_data = input;
    request.timeout = config_.timeout;
    return request;
  }
  // Runs `read`, for at most its timeout or until `deadline`; `withhold` are more secrets kept
  // out of the reason (the values being written).
  Observation Read(std::vector<std::string_view> withhold, Deadline deadline = kNoDeadline);
  // Write (record) or Remove (nullptr).
  Status Store(const Record* record, const ChangeMarker& expected);

  ExecSideConfig config_;
  std::vector<std::string> env_;
};

// Why a run failed: "exec `prog`: exited 1: <stderr's first line>", "exec `prog`: timed out
// after 300 ms", "exec `prog`: program `prog` not found", ... never showing `secrets`, nor a
// token-like stderr line (see exec_side.h).
std::string RunFailure(const SubprocessRequest& request, const Result<SubprocessResult>& run,
                       const std::vector<std::string_view>& secrets) {
  std::string reason = "exec `" + request.argv.front() + "`: ";
  if (!run.ok()) return reason + run.status().message();
  reason += DescribeEnd(*run, request);
  const bool ended_by_itself = run->end == SubprocessResult::End::kExited ||
                               run->end == SubprocessResult::End::kSignaled;
  if (ended_by_itself) {
    std::string line = StderrTellingLine(run->stderr_bytes, secrets, /*withhold_token_like=*/true);
    if (!line.empty()) reason += ": " + line;
  }
  return reason;
}

Observation ExecSide::Read(std::vector<std::string_view> withhold, Deadline deadline) {
  SubprocessRequest request = Request(config_.read, std::nullopt);
  const WaitBudget budget = BudgetFor(config_.timeout, deadline);
  if (budget.Expired()) return Observation::Unreadable("exec `" + config_.read.front() + "`: " + DeadlineReason(budget));
  request.timeout = budget.allowed;
  Result<SubprocessResult> run = RunSubprocess(request);
  if (run.ok() && run->end == SubprocessResult::End::kTimedOut && budget.cut) {
    return Observation::Unreadable("exec `" + config_.read.front() + "`: " + DeadlineReason(budget));
  }
  if (!run.ok() || !run->ok()) {
    // A failing program may still have printed values, and echo them on stderr too.
    Result<ReadReply> printed = run.ok() ? ParseReadReply(run->stdout_bytes, config_.fields)
                                         : Result<ReadReply>(ReadReply());
    if (printed.ok()) AddValues(*printed, withhold);
    return Observation::Unreadable(RunFailure(request, run, withhold));
  }
  Result<ReadReply> reply = ParseReadReply(run->stdout_bytes, config_.fields);
  if (!reply.ok()) {
    // What it printed on stderr may say why (a warning or error it still exited 0 after).
    std::string reason = "exec `" + config_.read.front() + "`: " + reply.status().message();
    std::string line = StderrTellingLine(run->stderr_bytes, withhold, /*withhold_token_like=*/true);
    if (!line.empty()) reason += "; stderr: " + line;
    return Observation::Unreadable(std::move(reason));
  }
  // The program answered null: its store has no value.
  if (reply->empty()) return Observation::Absent(ChangeMarker{std::string(kMissingMarker)});
  ChangeMarker marker = MarkerOf(*reply, config_.fields);
  return Observation::Value(std::move(*reply), std::move(marker));
}

Status ExecSide::Store(const Record* record, const ChangeMarker& expected) {
  std::vector<std::string_view> secrets;
  if (record != nullptr) AddValues(*record, secrets);
  Observation now = Read(secrets);
  if (now.state == Observation::State::kUnreadable) return Status::IoError(now.reason + "; not writing");
  // From here to the end of `write` another writer's change is not caught (see exec_side.h).
  if (now.marker != expected) {
    return Status::FailedPrecondition(Describe() + " changed since it was observed; not writing");
  }
  if (record == nullptr && now.state == Observation::State::kMissing) return Status::Ok();
  const std::vector<std::string>& names = config_.fields.names;
  if (record != nullptr &&
      std::none_of(names.begin(), names.end(), [&](const std::string& n) { return record->count(n) != 0; })) {
    return Status::Ok();  // none of the side's fields to store
  }

  const std::vector<std::string>& argv =
      record == nullptr && config_.remove ? *config_.remove : config_.write;
  Result<std::string> input = record != nullptr ? EncodeWriteRequest(*record, config_.fields)
                                                : Result<std::string>(EncodeRemoveRequest(config_.fields));
  if (!input.ok()) {
    return Status::InvalidArgument("exec `" + argv.front() + "`: " + input.status().message() +
                                   "; not writing");
  }
  const SubprocessRequest request = Request(argv, std::string_view(*input));
  Result<SubprocessResult> run = RunSubprocess(request);
  WipeString(*input);
  if (run.ok() && run->ok()) return Status::Ok();
  AddValues(now.fields, secrets);
  return Status::IoError(RunFailure(request, run, secrets));
}

Status ExecSide::CheckWritable() {
  struct stat st {};
  if (::stat(config_.cwd.c_str(), &st) != 0) {
    return Status::FailedPrecondition("exec: working directory `" + config_.cwd.string() +
                                      "`: " + ErrnoText(errno));
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::FailedPrecondition("exec: working directory `" + config_.cwd.string() +
                                      "` is not a directory");
  }
  // Write and Remove run `read` first, so it must be runnable too.
  std::vector<const std::vector<std::string>*> programs = {&config_.read, &config_.write};
  if (config_.remove) programs.push_back(&*config_.remove);
  for (const std::vector<std::string>* argv : programs) {
    Result<std::filesystem::path> found = ResolveProgram(argv->front(), config_.cwd, PathOf(env_));
    if (!found.ok()) return Status::FailedPrecondition("exec: " + found.status().message());
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Side>> MakeExecSide(SideOptions& options) {
  SEAM_ASSIGN_OR_RETURN(ExecSideConfig config, ParseExecOptions(options));
  return std::unique_ptr<Side>(std::make_unique<ExecSide>(std::move(config)));
}

}  // namespace seam
