#include "reconcilers/seam_context.h"

namespace seam {

Status RunOnRepairHook(SeamContext& ctx, const SeamConfig& seam, const SideConfig& side) {
  if (side.on_repair.empty()) return Status::Ok();
  if (ctx.hooks == nullptr) {
    return Status::Internal("side " + side.name + " sets on_repair but no hook runner is configured");
  }
  return ctx.hooks->RunOnRepair(seam, side);
}

}  // namespace seam
