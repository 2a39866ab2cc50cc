#include "store/postgres/pg_store.h"

#include <fstream>
#include <sstream>

#include "store/postgres/pg_confirmation_book.h"
#include "store/postgres/pg_conn.h"
#include "store/postgres/pg_lease_lock.h"
#include "store/postgres/pg_notify_cursors.h"
#include "store/postgres/pg_ownership.h"

namespace seam {
namespace {

// The password file holds the password alone; one trailing newline (an editor's) is not part
// of it. Its content is never echoed.
Result<std::string> ReadPasswordFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::InvalidArgument("[store] password_file " + path.string() + " is not a regular file");
  }
  if (std::filesystem::file_size(path, ec) > 4096) {
    return Status::InvalidArgument("[store] password_file " + path.string() + " is larger than 4096 bytes");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  if (!in || !(text << in.rdbuf())) {
    return Status::InvalidArgument("[store] password_file " + path.string() + " cannot be read");
  }
  std::string password = text.str();
  if (!password.empty() && password.back() == '\n') password.pop_back();
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.empty() || password.find('\n') != std::string::npos || password.find('\0') != std::string::npos) {
    return Status::InvalidArgument("[store] password_file " + path.string() +
                                   " must hold the password alone, on one line");
  }
  return password;
}

}  // namespace

PgStore::PgStore(StoreConfig config, PgOpenOptions options, std::unique_ptr<pg::Connection> meta,
                 std::unique_ptr<PgEventStore> log)
    : config_(std::move(config)),
      options_(std::move(options)),
      meta_(std::move(meta)),
      log_(std::move(log)),
      leases_(std::make_shared<pg::LeaseConnections>(config_.url, options_.password)) {}
PgStore::~PgStore() = default;

Result<std::unique_ptr<PgStore>> PgStore::Open(const StoreConfig& config, PgOpenOptions options) {
  if (!config.password_file.empty()) {
    SEAM_ASSIGN_OR_RETURN(options.password, ReadPasswordFile(config.password_file));
  }
  SEAM_ASSIGN_OR_RETURN(std::unique_ptr<PgEventStore> log, PgEventStore::Open(config.url, options));
  SEAM_ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> meta, pg::Connection::Open(config.url, options.password));
  return std::unique_ptr<PgStore>(new PgStore(config, std::move(options), std::move(meta), std::move(log)));
}

Result<std::unique_ptr<WriterLock>> PgStore::LockStream(const std::string& stream, const std::string& actor,
                                                        std::chrono::milliseconds wait) {
  return pg::AcquireLease(leases_, stream, actor, wait);
}

Result<std::unique_ptr<ConfirmationBook>> PgStore::OpenConfirmationBook() {
  SEAM_ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> conn, pg::Connection::Open(config_.url, options_.password));
  return std::unique_ptr<ConfirmationBook>(new pg::PgConfirmationBook(std::move(conn)));
}

Result<std::unique_ptr<NotifyCursorBook>> PgStore::OpenNotifyCursors() {
  SEAM_ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> conn, pg::Connection::Open(config_.url, options_.password));
  return std::unique_ptr<NotifyCursorBook>(new pg::PgNotifyCursors(std::move(conn)));
}

Result<std::unique_ptr<OwnershipLeases>> PgStore::OpenOwnership() {
  if (options_.read_only) {
    return Status::FailedPrecondition("the event log " + Describe() + " was opened read-only: no ownership claims");
  }
  SEAM_ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> conn, pg::Connection::Open(config_.url, options_.password));
  return std::unique_ptr<OwnershipLeases>(new pg::PgOwnership(std::move(conn)));
}

Result<std::string> PgStore::RecordedKey() {
  SEAM_ASSIGN_OR_RETURN(pg::Rows rows, meta_->Exec("SELECT value FROM seam_meta WHERE key = 'key_check'",
                                                   "reading the sealing key's fingerprint"));
  return rows.count() == 1 ? std::string(rows.Text(0, 0)) : std::string();
}

Status PgStore::CheckKey(const std::string& fingerprint) {
  if (!options_.read_only) {
    // The first key checked is the log's: two hosts racing here both insert, one wins, and the
    // loser's is then compared with it below.
    pg::Params params;
    params.Text(fingerprint);
    SEAM_RETURN_IF_ERROR(meta_->Exec("INSERT INTO seam_meta (key, value) VALUES ('key_check', $1) "
                                     "ON CONFLICT (key) DO NOTHING",
                                     params, "recording the sealing key's fingerprint")
                             .status());
  }
  SEAM_ASSIGN_OR_RETURN(std::string recorded, RecordedKey());
  if (recorded.empty() || recorded == fingerprint) return Status::Ok();
  return Status::FailedPrecondition("key file " + config_.key_path.string() + " holds key " + fingerprint +
                                    ", but the event log " + Describe() + " is sealed with key " + recorded +
                                    "; copy the key file of the host that ran `seamctl init` first");
}

}  // namespace seam
