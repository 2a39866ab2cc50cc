// seamctl store copy --to URL: the whole log, moved to another store byte for byte (SQLite to
// PostgreSQL when seams outgrow one host, or back). Both ends are verified; the copy's head is
// the source's (same seq, same hash), so a head kept outside the log still checks the copy.
#include <iostream>

#include "core/hash_chain.h"
#include "store/open.h"
#include "tools/common/state_context.h"
#include "tools/seamctl/log_copy.h"
#include "tools/seamctl/commands.h"

namespace seam::seamctl {

int RunStoreCopy(const GlobalOptions& g, const std::string& to_url) {
  Result<std::unique_ptr<StateContext>> opened = OpenState(g.config, OpenMode{.key = true, .read_only = true, .only_seam = {}, .agent = {}, .all_sides = false});
  if (!opened.ok()) return Fail(opened.status());
  StateContext& ctx = **opened;
  Result<StoreConfig> target_config = StoreFromUrl(to_url, std::filesystem::absolute(ctx.config.file).parent_path());
  if (!target_config.ok()) return Fail(Status::InvalidArgument("--to: " + target_config.status().message()));
  Result<std::unique_ptr<Store>> target = store::Open(*target_config, {.create_if_missing = true});
  if (!target.ok()) return Fail(target.status());
  // A shared target records this key's fingerprint now: the copy's secrets are sealed with it.
  if (Status key = (*target)->CheckKey(KeyFingerprint(*ctx.keys)); !key.ok()) return Fail(key);
  Result<VerifyReport> source = CopyWholeLog(ctx.log(), ctx.store->Describe(), **target);
  if (!source.ok()) return Fail(source.status());
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
