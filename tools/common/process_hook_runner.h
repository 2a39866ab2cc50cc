#pragma once
// ProcessHookRunner: runs on_repair commands as real child processes (plugins/exec/subprocess):
// argv without a shell, in the config file's directory, with a cleaned environment (PATH from the
// config's `hook_path`, LANG, SEAM_SEAM, SEAM_SIDE), a timeout that kills the whole process
// group, and capped output.

#include <chrono>
#include <filesystem>
#include <string>

#include "core/hook_runner.h"

namespace seam {

class ProcessHookRunner final : public HookRunner {
 public:
  ProcessHookRunner(std::filesystem::path cwd, std::string path,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30))
      : cwd_(std::move(cwd)), path_(std::move(path)), timeout_(timeout) {}

  Status RunOnRepair(const SeamConfig& seam, const SideConfig& side) override;

 private:
  std::filesystem::path cwd_;
  std::string path_;
  std::chrono::milliseconds timeout_;
};

}  // namespace seam
