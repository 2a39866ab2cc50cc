#include "tools/seamctl/log_copy.h"

#include <algorithm>
#include <vector>

#include "core/hash_chain.h"

namespace seam::seamctl {
namespace {

constexpr std::int64_t kBatch = 4096;

// Appends `events` (the source's, in seq order) to `target`, each run of one stream's events of
// one epoch in one append. The store hashes each event from its fields and the previous hash,
// exactly as the source did: the copy's hashes are the source's, which is checked event by event.
// Epochs are recorded, not checked: the leases they were fenced by are history.
Status CopyEvents(const std::vector<Event>& events, EventStore& target) {
  std::size_t i = 0;
  while (i < events.size()) {
    std::size_t j = i;
    std::vector<EventDraft> drafts;
    while (j < events.size() && events[j].stream == events[i].stream && events[j].epoch == events[i].epoch) {
      drafts.push_back(EventDraft{events[j].type, events[j].actor, events[j].time_us, events[j].payload});
      ++j;
    }
    SEAM_ASSIGN_OR_RETURN(AppendResult appended, target.Append(events[i].stream, events[i].version - 1, drafts,
                                                                       AppendFence{events[i].epoch, /*check=*/false}));
    if (appended.first_seq != events[i].seq || appended.last_seq != events[j - 1].seq) {
      return Status::FailedPrecondition("the copy's seq " + std::to_string(appended.first_seq) +
                                        " differs from the source's " + std::to_string(events[i].seq) +
                                        " (was the target written meanwhile?)");
    }
    SEAM_ASSIGN_OR_RETURN(LogHead head, target.Head());
    if (head.hash != events[j - 1].hash) {
      return Status::Corruption("the copy of seq " + std::to_string(events[j - 1].seq) +
                                " hashes differently from the source's; the copy is not the same chain");
    }
    i = j;
  }
  return Status::Ok();
}

}  // namespace

Result<VerifyReport> CopyWholeLog(EventStore& source, const std::string& source_name, Store& target) {
  SEAM_ASSIGN_OR_RETURN(VerifyReport verified, source.Verify());
  if (!verified.intact) {
    return Status::FailedPrecondition("the event log " + source_name + " is broken at seq " +
                                      std::to_string(verified.first_bad_seq) + " (" + verified.reason +
                                      "); a broken chain is not copied (see `seamctl verify`)");
  }
  SEAM_ASSIGN_OR_RETURN(LogHead target_head, target.Log().Head());
  if (target_head.seq != 0) {
    return Status::FailedPrecondition("the event log " + target.Describe() + " already holds " +
                                      std::to_string(target_head.seq) + " events; a copy is written only into an empty log");
  }
  for (std::int64_t from = 1; from <= verified.head_seq; from += kBatch) {
    SEAM_ASSIGN_OR_RETURN(std::vector<Event> batch, source.ReadAll(from, std::min(kBatch, verified.head_seq - from + 1)));
    SEAM_RETURN_IF_ERROR(CopyEvents(batch, target.Log()));
  }
  SEAM_ASSIGN_OR_RETURN(VerifyReport copy, target.Log().Verify());
  if (!copy.intact || copy.head_seq != verified.head_seq || copy.head_hash != verified.head_hash) {
    return Status::Corruption("the copy in " + target.Describe() + " does not verify to the source's head (" +
                              (copy.intact ? "head seq " + std::to_string(copy.head_seq) : copy.reason) + ")");
  }
  return verified;
}

}  // namespace seam::seamctl
