#pragma once
// HookRunner: runs a side's `on_repair` command after seam wrote that side (e.g. reload a
// server so it serves what was just written). Reconcilers call it; they never start processes
// themselves, so the implementation lives in tools/ (a real child process).

#include "core/config.h"
#include "core/status.h"

namespace seam {

class HookRunner {
 public:
  virtual ~HookRunner() = default;

  // Runs side.on_repair (non-empty) for `seam`. Ok when the command exited 0; otherwise a
  // one-line reason naming the command (never its output if that could hold a secret).
  virtual Status RunOnRepair(const SeamConfig& seam, const SideConfig& side) = 0;
};

}  // namespace seam
