// seamctl init: state directory (0700), key file (32 random bytes, 0600), event log.
// Idempotent: an existing valid key and log are kept; an invalid key file is refused, never
// overwritten (it may be the only copy of the key that opens the log's secrets).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <iostream>

#include "core/clock.h"
#include "core/hash_chain.h"
#include "plugins/common/atomic_file.h"
#include "reconcilers/bookkeeping_events.h"
#include "store/open.h"
#include "tools/common/state_context.h"
#include "tools/seamctl/commands.h"

namespace seam::seamctl {
namespace {

Status EnsureStateDir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return Status::Ok();
  if (std::filesystem::exists(dir, ec)) {
    return Status::InvalidArgument("state path " + dir.string() + " exists and is not a directory");
  }
  if (!std::filesystem::is_directory(dir.parent_path().empty() ? "." : dir.parent_path(), ec)) {
    return Status::InvalidArgument("directory " + dir.parent_path().string() +
                                   " does not exist (it holds the state directory " + dir.string() + ")");
  }
  if (::mkdir(dir.c_str(), 0700) != 0) {
    return Status::IoError("cannot create state directory " + dir.string() + ": " + std::strerror(errno));
  }
  return FsyncDirectory(dir.parent_path().empty() ? "." : dir.parent_path());
}

// Creates the key file with O_EXCL so two concurrent inits cannot both write a key.
Result<bool> EnsureKeyFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::symlink_status(path, ec))) {
    Result<Secret> existing = ReadKeyFile(path.string());
    if (!existing.ok()) return existing.status();
    return false;
  }
  SEAM_ASSIGN_OR_RETURN(Secret key, RandomBytes(kKeyFileBytes));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("cannot create key file " + path.string() + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < key.size()) {
    const ssize_t n = ::write(fd, key.Reveal().data() + done, key.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const bool ok = done == key.size() && ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return Status::IoError("cannot write key file " + path.string() + ": " + std::strerror(err));
  }
  SEAM_RETURN_IF_ERROR(FsyncDirectory(path.parent_path()));
  return true;
}

// A new key cannot open secrets sealed under the old one: if the key file is gone but the log
// already holds events, the only fix is restoring the key from a backup. A shared store that
// already has a key (another host ran init first) needs that host's key file, copied here.
Status RefuseNewKeyForExistingLog(const StoreConfig& config, Store& existing) {
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::symlink_status(config.key_path, ec))) return Status::Ok();
  SEAM_ASSIGN_OR_RETURN(std::string recorded, existing.RecordedKey());
  if (!recorded.empty()) {
    return Status::FailedPrecondition("key file " + config.key_path.string() + " is missing, and the event log " +
                                      existing.Describe() + " is sealed with key " + recorded +
                                      "; copy the key file of the host that ran `seamctl init` first to " +
                                      config.key_path.string() + " (mode 0600): a new key cannot open the log");
  }
  SEAM_ASSIGN_OR_RETURN(LogHead head, existing.Log().Head());
  if (head.seq == 0) return Status::Ok();
  return Status::FailedPrecondition(
      "key file " + config.key_path.string() + " is missing but the event log " + existing.Describe() +
      " already holds " + std::to_string(head.seq) +
      " events sealed with it; restore the key file from your backup (a new key cannot open them), or, with no "
      "backup of it, keep that log aside and start a new one from what the sides hold: `seamctl init --start-over "
      "\"key lost\"`");
}

}  // namespace

int RunInit(const GlobalOptions& g) {
  Result<std::unique_ptr<StateContext>> ctx = LoadConfigOnly(g.config);
  if (!ctx.ok()) return Fail(ctx.status());
  const StoreConfig& store = (*ctx)->config.store;

  // The state directory, and the key's and a file log's when they live apart from it (one level
  // each: a missing parent is a typo more often than a wish).
  for (const std::filesystem::path& dir : {store.state_dir, store.key_path.parent_path(), store.db_path.parent_path()}) {
    if (dir.empty()) continue;
    if (Status made = EnsureStateDir(dir); !made.ok()) return Fail(made);
  }
  // An existing log first: its events decide whether a new key may be made. Anything but "no
  // log yet" (an empty file, say) is opened with create, before a key file is written, so a
  // log that cannot be opened leaves nothing new behind.
  Result<std::unique_ptr<Store>> opened = store::Open(store);
  const bool existed = opened.ok();
  if (existed) {
    if (Status orphan = RefuseNewKeyForExistingLog(store, **opened); !orphan.ok()) return Fail(orphan);
  } else if (opened.status().code() != StatusCode::kNotFound) {
    opened = store::Open(store, {.create_if_missing = true});
    if (!opened.ok()) return Fail(opened.status());
  }
  Result<bool> key_created = EnsureKeyFile(store.key_path);
  if (!key_created.ok()) return Fail(key_created.status());
  if (!opened.ok()) {
    opened = store::Open(store, {.create_if_missing = true});
    if (!opened.ok()) return Fail(opened.status());
  }
  // A shared store records the key's fingerprint now (the first init's) and refuses another.
  Result<Secret> key = ReadKeyFile(store.key_path.string());
  if (!key.ok()) return Fail(key.status());
  const std::string fingerprint = KeyFingerprint(KeyRing(*key));
  if (Status checked = (*opened)->CheckKey(fingerprint); !checked.ok()) return Fail(checked);
  // So that `seamctl audit SEAM` and its kin parse one seam, not the whole config.
  (*ctx)->UpdateConfigIndex();

  std::cout << (existed ? "kept existing event log " : "created event log ") << (*opened)->Describe()
            << "\n"
            << (*key_created ? "created key file " : "kept existing key file ") << store.key_path.string()
            << " (" << fingerprint << ", mode 0600; back it up: without it the log's secrets cannot be opened)\n";
  return 0;
}

int RunInitStartOver(const GlobalOptions& g, const std::string& reason) {
  Result<std::unique_ptr<StateContext>> ctx = LoadConfigOnly(g.config);
  if (!ctx.ok()) return Fail(ctx.status());
  const StoreConfig& store = (*ctx)->config.store;
  if (reason.empty() || reason.size() > 200 ||
      std::any_of(reason.begin(), reason.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    return Fail(Status::InvalidArgument("--start-over needs a reason of 1 to 200 characters on one line (\"key lost\", "
                                        "\"tampered\")"));
  }
  if (store.scheme != "sqlite") {
    return Fail(Status::FailedPrecondition(
        "--start-over moves a SQLite log aside; for PostgreSQL create a new database, point [store] url at it, run "
        "`seamctl init` there and adopt each seam from its sides (the old database is the evidence)"));
  }
  std::error_code ec;
  if (!std::filesystem::exists(store.db_path, ec)) {
    return Fail(Status::FailedPrecondition("no event log at " + store.db_path.string() + " to start over from; run `seamctl init`"));
  }
  // Where the old log stood. Opened for writing once and closed, so SQLite folds its WAL into the
  // file and removes it: only then can the file alone be moved. A WAL still there afterwards
  // means another process has the log open.
  bookkeeping::LogStarted started;
  started.reason = reason;
  {
    Result<std::unique_ptr<Store>> old = store::Open(store);
    if (!old.ok()) return Fail(old.status());
    Result<LogHead> head = (*old)->Log().Head();
    if (!head.ok()) return Fail(head.status());
    Result<VerifyReport> verified = (*old)->Log().Verify();
    if (!verified.ok()) return Fail(verified.status());
    started.previous_seq = head->seq;
    started.previous_hash = head->seq == 0 ? "" : HashToHex(head->hash);
    started.previous_intact = verified->intact;
    started.first_bad_seq = verified->first_bad_seq;
  }
  if (std::filesystem::exists(store.db_path.string() + "-wal", ec)) {
    return Fail(Status::FailedPrecondition("the event log " + store.db_path.string() +
                                           " is open in another process (is seamd running? stop it first); nothing moved"));
  }
  std::string stamp = FormatTimeMicros(SystemClock().NowMicros()).substr(0, 19);
  stamp.erase(std::remove_if(stamp.begin(), stamp.end(), [](char c) { return c == '-' || c == ':'; }), stamp.end());
  const std::filesystem::path kept = store.db_path.string() + ".kept-" + stamp + "Z";
  if (std::filesystem::exists(kept, ec) || std::rename(store.db_path.c_str(), kept.c_str()) != 0) {
    return Fail(Status::IoError("moving " + store.db_path.string() + " aside to " + kept.string() + " failed"));
  }
  std::filesystem::remove(store.db_path.string() + "-shm", ec);
  if (Status synced = FsyncDirectory(store.db_path.parent_path()); !synced.ok()) return Fail(synced);
  started.previous_log = kept.string();

  Result<bool> key_created = EnsureKeyFile(store.key_path);
  if (!key_created.ok()) return Fail(key_created.status());
  Result<std::unique_ptr<Store>> fresh = store::Open(store, {.create_if_missing = true});
  if (!fresh.ok()) return Fail(fresh.status());
  Result<AppendResult> appended = (*fresh)->Log().Append(
      bookkeeping::kLogStream, 0,
      {EventDraft{bookkeeping::kLogStarted, DefaultActor("seamctl"), SystemClock().NowMicros(), bookkeeping::Encode(started)}});
  if (!appended.ok()) return Fail(appended.status());
  Result<Secret> key = ReadKeyFile(store.key_path.string());
  if (!key.ok()) return Fail(key.status());
  (*ctx)->UpdateConfigIndex();

  std::cout << "kept the previous log at " << kept.string() << " (" << started.previous_seq << " events, "
            << (started.previous_intact ? "chain intact" : "chain BROKEN at seq " + std::to_string(started.first_bad_seq))
            << (started.previous_hash.empty() ? "" : ", head hash " + started.previous_hash) << ")\n"
            << "started a new event log " << (*fresh)->Describe() << ": LogStarted (" << reason << ") at seq "
            << appended->last_seq << "\n"
            << (*key_created ? "created key file " : "kept existing key file ") << store.key_path.string() << " ("
            << KeyFingerprint(KeyRing(*key)) << ", mode 0600; back it up)\n"
            << "next: take each seam's value from the side you trust, `seamctl adopt SEAM --from SIDE`, then "
               "`seamctl check`\n";
  return 0;
}

}  // namespace seam::seamctl
