#pragma once
// SqliteConfirmationBook: the ConfirmationBook (core/confirmation_book.h) in its own small
// SQLite file beside the event log (`<state dir>/confirmations.db`), so that confirming sides
// never takes the log's write lock nor grows it.
//
// File: PRAGMA application_id 0x53454143 ("SEAC"), WAL, synchronous=NORMAL (a crash may lose
// the last flush: the book then answers an older, still true, time); one table
//   side_confirmations(stream TEXT, side TEXT, confirmed_at_us INTEGER,
//                      PRIMARY KEY (stream, side)) WITHOUT ROWID.
// Reads are cached; Confirm only updates the cache; Flush upserts what changed in one
// transaction (a time never moves backwards, whoever flushes last).

#include <memory>
#include <string>

#include "core/confirmation_book.h"
#include "core/status.h"

namespace seam {

class SqliteConfirmationBook final : public ConfirmationBook {
 public:
  // Opens the book at `path`, creating it when missing. Refuses, naming the path, a file that
  // is not a confirmation book (another SQLite file, not SQLite at all, not a regular file).
  static Result<std::unique_ptr<SqliteConfirmationBook>> Open(const std::string& path);

  ~SqliteConfirmationBook() override;
  SqliteConfirmationBook(const SqliteConfirmationBook&) = delete;
  SqliteConfirmationBook& operator=(const SqliteConfirmationBook&) = delete;

  std::int64_t LastInSync(const std::string& stream, const std::string& side) override;
  void Confirm(const std::string& stream, const std::string& side, std::int64_t at_us) override;
  Status Flush() override;

 private:
  struct Impl;
  explicit SqliteConfirmationBook(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace seam
