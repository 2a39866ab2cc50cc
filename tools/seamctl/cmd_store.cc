// seamctl store copy --to URL: the whole log, moved to another store byte for byte (SQLite to
// PostgreSQL when seams outgrow one host, or back). Both ends are verified; the copy's head is
// the source's (same seq, same hash), so a head kept outside the log still checks the copy.
#include <iostream>

#include "core/hash_chain.h"
#include "store/open.h"
#include "tools/common/state_context.h"
#include "tools/seamctl/commands.h"

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

int RunStoreCopy(const GlobalOptions& g, const std::string& to_url) {
  Result<std::unique_ptr<StateContext>> opened = OpenState(g.config, OpenMode{.key = true, .read_only = true, .only_seam = {}, .agent = {}, .all_sides = false});
  if (!opened.ok()) return Fail(opened.status());
  StateContext& ctx = **opened;
  Result<StoreConfig> target_config = StoreFromUrl(to_url, std::filesystem::absolute(ctx.config.file).parent_path());
  if (!target_config.ok()) return Fail(Status::InvalidArgument("--to: " + target_config.status().message()));

  Result<VerifyReport> source = ctx.log().Verify();
  if (!source.ok()) return Fail(source.status());
  if (!source->intact) {
    return Fail(Status::FailedPrecondition("the event log " + ctx.store->Describe() + " is broken at seq " +
                                           std::to_string(source->first_bad_seq) + " (" + source->reason +
                                           "); a broken chain is not copied (see `seamctl verify`)"));
  }
  Result<std::unique_ptr<Store>> target = store::Open(*target_config, {.create_if_missing = true});
  if (!target.ok()) return Fail(target.status());
  Result<LogHead> target_head = (*target)->Log().Head();
  if (!target_head.ok()) return Fail(target_head.status());
  if (target_head->seq != 0) {
    return Fail(Status::FailedPrecondition("the event log " + (*target)->Describe() + " already holds " +
                                           std::to_string(target_head->seq) +
                                           " events; store copy writes only into an empty log"));
  }
  // A shared target records this key's fingerprint now: the copy's secrets are sealed with it.
  if (Status key = (*target)->CheckKey(KeyFingerprint(*ctx.keys)); !key.ok()) return Fail(key);

  // The head verified above: events appended to the source meanwhile are left for a later copy.
  for (std::int64_t from = 1; from <= source->head_seq; from += kBatch) {
    Result<std::vector<Event>> batch = ctx.log().ReadAll(from, std::min(kBatch, source->head_seq - from + 1));
    if (!batch.ok()) return Fail(batch.status());
    if (Status copied = CopyEvents(*batch, (*target)->Log()); !copied.ok()) return Fail(copied);
  }
  Result<VerifyReport> copy = (*target)->Log().Verify();
  if (!copy.ok()) return Fail(copy.status());
  if (!copy->intact || copy->head_seq != source->head_seq || copy->head_hash != source->head_hash) {
    return Fail(Status::Corruption("the copy in " + (*target)->Describe() + " does not verify to the source's head (" +
                                   (copy->intact ? "head seq " + std::to_string(copy->head_seq) : copy->reason) + ")"));
  }
  std::cout << "copied " << source->head_seq << " events from " << ctx.store->Describe() << " to "
            << (*target)->Describe() << "; both verify to head seq " << source->head_seq << " hash "
            << HashToHex(source->head_hash) << "\n";
  std::error_code ec;
  if (target_config->key_path != ctx.config.store.key_path && !std::filesystem::exists(target_config->key_path, ec)) {
    std::cout << "the copy's secrets are sealed with " << ctx.config.store.key_path.string() << " ("
              << KeyFingerprint(*ctx.keys) << "): copy it to " << target_config->key_path.string()
              << " (mode 0600), or name it in [store] key_file, before using the copy\n";
  }
  return 0;
}

}  // namespace seam::seamctl
