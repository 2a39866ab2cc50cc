#pragma once
// SqliteStore: the Store (core/store.h) of the embedded default, everything on this host:
//   - the log: SqliteEventStore on `db_path`;
//   - writer locks: flock(2) files under <state_dir>/locks (store/flock_writer_lock.h);
//   - the confirmation book: <state_dir>/confirmations.db (store/sqlite_confirmation_book.h);
//   - the notification cursors: <state_dir>/notify-cursors.db (store/sqlite_notify_cursors.h).

#include <memory>
#include <string>

#include "core/config.h"
#include "core/store.h"
#include "store/sqlite_event_store.h"

namespace seam {

class SqliteStore final : public Store {
 public:
  // Opens the log as SqliteEventStore::Open does (same refusals, naming the file).
  static Result<std::unique_ptr<SqliteStore>> Open(const StoreConfig& config, const SqliteOpenOptions& options);

  EventStore& Log() override { return *log_; }
  Result<std::unique_ptr<WriterLock>> LockStream(const std::string& stream, const std::string& actor,
                                                 std::chrono::milliseconds wait) override;
  Result<std::unique_ptr<ConfirmationBook>> OpenConfirmationBook() override;
  Result<std::unique_ptr<NotifyCursorBook>> OpenNotifyCursors() override;
  std::string Describe() const override { return config_.db_path.string(); }
  std::string Notice() const override { return log_->notice(); }

 private:
  SqliteStore(StoreConfig config, std::unique_ptr<SqliteEventStore> log)
      : config_(std::move(config)), log_(std::move(log)) {}
  StoreConfig config_;
  std::unique_ptr<SqliteEventStore> log_;
};

}  // namespace seam
