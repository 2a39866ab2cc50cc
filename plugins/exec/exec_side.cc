#include "plugins/exec/exec_side.h"

#include <sys/stat.h>

#include <cerrno>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto.h"
#include "plugins/common/errno_text.h"
#include "plugins/common/wipe.h"
#include "plugins/exec/exec_options.h"
#include "plugins/exec/exec_protocol.h"
#include "plugins/exec/subprocess.h"

namespace seam {
namespace {

constexpr std::string_view kMissingMarker = "missing";

class ExecSide final : public Side {
 public:
  explicit ExecSide(ExecSideConfig config) : config_(std::move(config)) {
    env_ = {"PATH=" + std::string(kSubprocessDefaultPath), "LANG=C.UTF-8",
            "SEAM_SEAM=" + config_.seam, "SEAM_SIDE=" + config_.side};
  }

  Observation Observe() override { return Read(""); }
  Status Write(const Secret& value, const ChangeMarker& expected) override {
    return Store(&value, expected);
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
  // Runs `read`; `withhold` is one more secret kept out of the reason (the value being written).
  Observation Read(std::string_view withhold);
  // Write (value) or Remove (nullptr).
  Status Store(const Secret* value, const ChangeMarker& expected);

  ExecSideConfig config_;
  std::vector<std::string> env_;
};

// Why a run failed: "exec `prog`: exited 1: <stderr's first line>", "exec `prog`: timed out
// after 300 ms", "exec `prog`: program `prog` not found", ... never showing `secrets`, nor a
// token-like stderr line (see exec_side.h).
std::string RunFailure(const SubprocessRequest& request, const Result<SubprocessResult>& run,
                       std::initializer_list<std::string_view> secrets) {
  std::string reason = "exec `" + request.argv.front() + "`: ";
  if (!run.ok()) return reason + run.status().message();
  reason += DescribeEnd(*run, request);
  const bool ended_by_itself = run->end == SubprocessResult::End::kExited ||
                               run->end == SubprocessResult::End::kSignaled;
  if (ended_by_itself) {
    std::string line = StderrFirstLine(run->stderr_bytes, secrets, /*withhold_token_like=*/true);
    if (!line.empty()) reason += ": " + line;
  }
  return reason;
}

Observation ExecSide::Read(std::string_view withhold) {
  const SubprocessRequest request = Request(config_.read, std::nullopt);
  Result<SubprocessResult> run = RunSubprocess(request);
  if (!run.ok() || !run->ok()) {
    // A failing program may still have printed a value, and echo it on stderr too.
    Result<ReadReply> printed = run.ok() ? ParseReadReply(run->stdout_bytes)
                                         : Result<ReadReply>(ReadReply());
    std::string_view printed_value =
        printed.ok() && printed->has_value() ? (*printed)->Reveal() : std::string_view();
    return Observation::Unreadable(RunFailure(request, run, {withhold, printed_value}));
  }
  Result<ReadReply> reply = ParseReadReply(run->stdout_bytes);
  if (!reply.ok()) {
    // What it printed on stderr may say why (a warning or error it still exited 0 after).
    std::string reason = "exec `" + config_.read.front() + "`: " + reply.status().message();
    std::string line = StderrFirstLine(run->stderr_bytes, {withhold}, /*withhold_token_like=*/true);
    if (!line.empty()) reason += "; stderr: " + line;
    return Observation::Unreadable(std::move(reason));
  }
  if (!reply->has_value()) return Observation::Missing(ChangeMarker{std::string(kMissingMarker)});
  ChangeMarker marker{"value:" + Sha256Hex((*reply)->Reveal())};
  return Observation::Value(std::move(**reply), std::move(marker));
}

Status ExecSide::Store(const Secret* value, const ChangeMarker& expected) {
  Observation now = Read(value != nullptr ? value->Reveal() : std::string_view());
  if (now.state == Observation::State::kUnreadable) return Status::IoError(now.reason + "; not writing");
  // From here to the end of `write` another writer's change is not caught (see exec_side.h).
  if (now.marker != expected) {
    return Status::FailedPrecondition(Describe() + " changed since it was observed; not writing");
  }
  if (value == nullptr && now.state == Observation::State::kMissing) return Status::Ok();

  const std::vector<std::string>& argv =
      value == nullptr && config_.remove ? *config_.remove : config_.write;
  Result<std::string> input = EncodeWriteRequest(value);
  if (!input.ok()) {
    return Status::InvalidArgument("exec `" + argv.front() + "`: " + input.status().message() +
                                   "; not writing");
  }
  const SubprocessRequest request = Request(argv, std::string_view(*input));
  Result<SubprocessResult> run = RunSubprocess(request);
  WipeString(*input);
  if (run.ok() && run->ok()) return Status::Ok();
  return Status::IoError(RunFailure(request, run, {value != nullptr ? value->Reveal() : "",
                                                   now.value.Reveal()}));
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
