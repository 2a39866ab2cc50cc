#include "store/sqlite_store.h"

#include "store/flock_writer_lock.h"
#include "store/sqlite_confirmation_book.h"
#include "store/sqlite_notify_cursors.h"

namespace seam {

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const StoreConfig& config, const SqliteOpenOptions& options) {
  SEAM_ASSIGN_OR_RETURN(std::unique_ptr<SqliteEventStore> log, SqliteEventStore::Open(config.db_path.string(), options));
  return std::unique_ptr<SqliteStore>(new SqliteStore(config, std::move(log)));
}

Result<std::unique_ptr<WriterLock>> SqliteStore::LockStream(const std::string& stream, const std::string& actor,
                                                            std::chrono::milliseconds wait) {
  return FlockWriterLock::Acquire(config_.state_dir, stream, actor, wait);
}

Result<std::unique_ptr<ConfirmationBook>> SqliteStore::OpenConfirmationBook() {
  SEAM_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConfirmationBook> book,
                        SqliteConfirmationBook::Open((config_.state_dir / "confirmations.db").string()));
  return std::unique_ptr<ConfirmationBook>(std::move(book));
}

Result<std::unique_ptr<NotifyCursorBook>> SqliteStore::OpenNotifyCursors() {
  SEAM_ASSIGN_OR_RETURN(std::unique_ptr<SqliteNotifyCursors> book,
                        SqliteNotifyCursors::Open(config_.state_dir / "notify-cursors.db"));
  return std::unique_ptr<NotifyCursorBook>(std::move(book));
}

}  // namespace seam
