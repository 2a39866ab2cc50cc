#include "tools/common/process_hook_runner.h"

#include "plugins/common/stderr_line.h"
#include "plugins/common/subprocess.h"

namespace seam {

Status ProcessHookRunner::RunOnRepair(const SeamConfig& seam, const SideConfig& side) {
  SubprocessRequest request;
  request.argv = side.on_repair;
  request.env = {"PATH=" + path_, "LANG=C.UTF-8",
                 "SEAM_SEAM=" + seam.name, "SEAM_SIDE=" + side.name};
  request.cwd = cwd_;
  request.timeout = timeout_;
  request.stdout_limit = 64 * 1024;  // output is not used; a hook that floods is killed
  // A reload/restart hook may legitimately leave a server running in its process group; only
  // a hook that times out or floods has its group killed.
  request.kill_group_on_exit = false;
  const std::string what = "on_repair `" + side.on_repair.front() + "` of side " + side.name;
  Result<SubprocessResult> ran = RunSubprocess(request);
  if (!ran.ok()) return ran.status().WithContext(what);
  if (ran->ok()) return Status::Ok();
  const std::string err = StderrTellingLine(ran->stderr_bytes, {});
  return Status::IoError(what + ": " + DescribeEnd(*ran, request) + (err.empty() ? "" : ": " + err));
}

}  // namespace seam
