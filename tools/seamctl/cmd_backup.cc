// seamctl backup FILE and seamctl store restore --from FILE: a consistent copy of the whole log
// in a new SQLite file, taken while seamd runs (a `cp` of events.db then misses what the WAL
// holds), and the way back into a store that holds no log. Both verify the chain to the head
// they print; neither ever writes over a log.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <system_error>

#include "core/crypto.h"
#include "core/hash_chain.h"
#include "plugins/common/atomic_file.h"
#include "store/open.h"
#include "tools/common/state_context.h"
#include "tools/seamctl/commands.h"
#include "tools/seamctl/log_copy.h"

namespace seam::seamctl {
namespace {

namespace fs = std::filesystem;

// The SQLite store of `file`, opened as `options` say.
Result<std::unique_ptr<Store>> OpenSqliteFile(const fs::path& file, const store::OpenOptions& options) {
  SEAM_ASSIGN_OR_RETURN(StoreConfig config, StoreFromUrl("sqlite:" + file.string(), file.parent_path()));
  return store::Open(config, options);
}

void RemoveQuietly(const fs::path& file) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(file.string() + suffix, ec);
}

}  // namespace

int RunBackup(const GlobalOptions& g, const std::string& file_arg) {
  Result<std::unique_ptr<StateContext>> opened =
      OpenState(g.config, OpenMode{.key = true, .read_only = true, .only_seam = {}, .agent = {}, .all_sides = false});
  if (!opened.ok()) return Fail(opened.status());
  StateContext& ctx = **opened;
  const fs::path file = fs::absolute(file_arg).lexically_normal();
  std::error_code ec;
  if (fs::symlink_status(file, ec).type() != fs::file_type::not_found) {
    return Fail(Status::FailedPrecondition(file.string() + " exists; a backup is written only as a new file"));
  }
  if (!fs::is_directory(file.parent_path(), ec)) {
    return Fail(Status::FailedPrecondition("directory " + file.parent_path().string() + " does not exist"));
  }
  // Built under another name and renamed when whole: a backup cut short never looks like one.
  const fs::path partial = file.string() + ".partial";
  RemoveQuietly(partial);
  Result<VerifyReport> copied = Status::Internal("not run");
  {
    Result<std::unique_ptr<Store>> target = OpenSqliteFile(partial, {.create_if_missing = true});
    if (!target.ok()) return Fail(target.status());
    copied = CopyWholeLog(ctx.log(), ctx.store->Describe(), **target);
  }  // closed here: SQLite folds its WAL into the file
  // The backup holds every sealed secret: readable by its owner alone, whatever the umask.
  fs::permissions(partial, fs::perms::owner_read | fs::perms::owner_write, ec);
  if (!copied.ok()) {
    RemoveQuietly(partial);
    return Fail(copied.status());
  }
  if (::access(file.c_str(), F_OK) == 0 || std::rename(partial.c_str(), file.c_str()) != 0) {
    RemoveQuietly(partial);
    return Fail(Status::IoError("renaming " + partial.string() + " to " + file.string() + " failed"));
  }
  if (Status synced = FsyncDirectory(file.parent_path()); !synced.ok()) return Fail(synced);
  // What was written is read back from the file itself.
  Result<VerifyReport> again = Status::Internal("not run");
  {
    Result<std::unique_ptr<Store>> written = OpenSqliteFile(file, {.read_only = true});
    if (!written.ok()) return Fail(written.status());
    again = (*written)->Log().Verify();
  }
  // A read-only open leaves an empty WAL and its index beside the file: nobody else has it open.
  if (fs::file_size(file.string() + "-wal", ec) == 0 && !ec) {
    fs::remove(file.string() + "-wal", ec);
    fs::remove(file.string() + "-shm", ec);
  }
  if (!again.ok()) return Fail(again.status());
  if (!again->intact || again->head_seq != copied->head_seq || again->head_hash != copied->head_hash) {
    return Fail(Status::Corruption("the backup " + file.string() + " does not verify to the log's head"));
  }
  std::cout << "backed up " << copied->head_seq << " events from " << ctx.store->Describe() << " to " << file.string()
            << "; verified: head seq " << copied->head_seq << " hash " << HashToHex(copied->head_hash) << "\n"
            << "its secrets are sealed with " << ctx.config.store.key_path.string() << " (" << KeyFingerprint(*ctx.keys)
            << "): keep a copy of that key file apart from the backup; without it the backup's values cannot be opened\n";
  return 0;
}

int RunStoreRestore(const GlobalOptions& g, const std::string& from_arg) {
  Result<std::unique_ptr<StateContext>> loaded = LoadConfigOnly(g.config);
  if (!loaded.ok()) return Fail(loaded.status());
  const StoreConfig& config = (*loaded)->config.store;
  const fs::path from = fs::absolute(from_arg).lexically_normal();
  std::error_code ec;
  if (!fs::is_regular_file(from, ec)) return Fail(Status::InvalidArgument(from.string() + " is not a file"));
  Result<std::unique_ptr<Store>> source = OpenSqliteFile(from, {.read_only = true});
  if (!source.ok()) return Fail(source.status());
  // Never over a log: a file log must not exist at all (seamd running on it has it open), a
  // shared one must hold no event.
  if (config.scheme == "sqlite") {
    if (fs::symlink_status(config.db_path, ec).type() != fs::file_type::not_found) {
      return Fail(Status::FailedPrecondition("the event log " + config.db_path.string() +
                                             " exists; move it aside (stop seamd first) before restoring over it"));
    }
    if (fs::equivalent(from, config.db_path, ec)) return Fail(Status::InvalidArgument("--from is the log itself"));
    // A WAL left behind by a log moved without it would be replayed into the new file by SQLite.
    const std::string wal = config.db_path.string() + "-wal";
    if (fs::symlink_status(wal, ec).type() != fs::file_type::not_found) {
      return Fail(Status::FailedPrecondition(wal + " is there without its log (it belongs to the log that was moved: "
                                             "move it with it); not restoring"));
    }
  }
  if (config.scheme == "sqlite" && !fs::exists(config.db_path.parent_path(), ec)) {
    // The state directory went with the log (a lost disk): made again as `init` makes it.
    fs::create_directories(config.db_path.parent_path(), ec);
    if (ec) return Fail(Status::IoError(config.db_path.parent_path().string() + ": " + ec.message()));
    fs::permissions(config.db_path.parent_path(), fs::perms::owner_all, ec);
  }
  Result<std::unique_ptr<Store>> target = store::Open(config, {.create_if_missing = true});
  if (!target.ok()) return Fail(target.status());
  // A shared store records which key its secrets are sealed with: the key file here, when there
  // is one (the backup's secrets are sealed with the key it was taken with).
  if (fs::exists(config.key_path, ec)) {
    Result<Secret> master = ReadKeyFile(config.key_path.string());
    if (!master.ok()) return Fail(master.status());
    if (Status key = (*target)->CheckKey(KeyFingerprint(KeyRing(*master))); !key.ok()) return Fail(key);
  }
  Result<VerifyReport> copied = CopyWholeLog((*source)->Log(), from.string(), **target);
  if (!copied.ok()) {
    if (config.scheme == "sqlite") {
      target->reset();
      RemoveQuietly(config.db_path);  // it did not exist before: leave nothing half-restored
    }
    return Fail(copied.status());
  }
  std::cout << "restored " << copied->head_seq << " events from " << from.string() << " into " << (*target)->Describe()
            << "; verified: head seq " << copied->head_seq << " hash " << HashToHex(copied->head_hash) << "\n";
  if (!fs::exists(config.key_path, ec)) {
    std::cout << "no key file at " << config.key_path.string()
              << ": put the key the backup was taken with there (mode 0600) before using the log\n";
  }
  return 0;
}

}  // namespace seam::seamctl
