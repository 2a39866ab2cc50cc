#pragma once
// ProcessHookRunner: runs on_repair commands as real child processes (plugins/exec/subprocess):
// argv without a shell, in the config file's directory, with a cleaned environment (PATH, LANG,
// SEAM_SEAM, SEAM_SIDE), a timeout that kills the whole process group, and capped output.

#include <chrono>
#include <filesystem>

#include "core/hook_runner.h"

namespace seam {

class ProcessHookRunner final : public HookRunner {
 public:
  explicit ProcessHookRunner(std::filesystem::path cwd,
                             std::chrono::milliseconds timeout = std::chrono::seconds(30))
      : cwd_(std::move(cwd)), timeout_(timeout) {}

  Status RunOnRepair(const SeamConfig& seam, const SideConfig& side) override;

 private:
  std::filesystem::path cwd_;
  std::chrono::milliseconds timeout_;
};

}  // namespace seam
