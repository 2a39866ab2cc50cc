#pragma once
// PgStore: the Store (core/store.h) of seams that span hosts, everything in one PostgreSQL
// database (`[store] url = "postgresql://…"`):
//   - the log: PgEventStore (store/postgres/pg_event_store.h);
//   - writer locks: lease rows in seam_locks (store/postgres/pg_lease_lock.h);
//   - the confirmation book: seam_confirmations (store/postgres/pg_confirmation_book.h);
//   - ownership leases: seam_owners (store/postgres/pg_ownership.h);
//   - the sealing key's fingerprint: seam_meta's key_check (CheckKey).
// The config index stays a local cache under `[store] state_dir` (store/open.h).

#include <memory>
#include <string>

#include "core/config.h"
#include "core/store.h"
#include "store/postgres/pg_event_store.h"
#include "store/postgres/pg_lease_lock.h"

namespace seam {

class PgStore final : public Store {
 public:
  // Reads `password_file` when set, then opens the log as PgEventStore::Open does.
  static Result<std::unique_ptr<PgStore>> Open(const StoreConfig& config, PgOpenOptions options);

  EventStore& Log() override { return *log_; }
  Result<std::unique_ptr<WriterLock>> LockStream(const std::string& stream, const std::string& actor,
                                                 std::chrono::milliseconds wait) override;
  Result<std::unique_ptr<ConfirmationBook>> OpenConfirmationBook() override;
  Result<std::unique_ptr<NotifyCursorBook>> OpenNotifyCursors() override;
  Result<std::unique_ptr<OwnershipLeases>> OpenOwnership() override;
  Status CheckKey(const std::string& fingerprint) override;
  Result<std::string> RecordedKey() override;
  std::string Describe() const override { return log_->describe(); }

 private:
  PgStore(StoreConfig config, PgOpenOptions options, std::unique_ptr<pg::Connection> meta,
          std::unique_ptr<PgEventStore> log);
  StoreConfig config_;
  PgOpenOptions options_;
  std::unique_ptr<pg::Connection> meta_;  // seam_meta's key_check (the log's connection is its own)
  std::unique_ptr<PgEventStore> log_;
  std::shared_ptr<pg::LeaseConnections> leases_;  // the locks' connections, reused

 public:
  ~PgStore() override;
};

}  // namespace seam
