#include "core/event_store.h"

namespace seam {

Status CheckAppendArgs(const std::string& stream, std::int64_t expected_version,
                       const std::vector<EventDraft>& events, const AppendFence& fence) {
  if (events.empty() || expected_version < 0 || stream.empty() || fence.epoch < 0) {
    return Status::InvalidArgument("append to stream '" + stream + "' needs events, expected_version >= 0 and " +
                                   "epoch >= 0 (got " + std::to_string(events.size()) + " events, expected_version " +
                                   std::to_string(expected_version) + ", epoch " + std::to_string(fence.epoch) + ")");
  }
  return Status::Ok();
}

}  // namespace seam
