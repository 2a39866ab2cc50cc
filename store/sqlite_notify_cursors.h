#pragma once
// SqliteNotifyCursors: the NotifyCursorBook (core/notify_cursor_book.h) of the SQLite store, in
// <state_dir>/notify-cursors.db: table notify_cursors (target, seq) holds each target's start,
// table notify_stream_cursors (target, stream, seq) each stream's cursor. SQLite, WAL,
// synchronous=FULL: a Begin or Advance that returned is on disk. A file from before streams had
// cursors of their own holds only the first table, whose seq then means what a start means
// (every stream given everything up to it), so it is read as it stands.

#include <filesystem>
#include <memory>
#include <string>

#include "core/notify_cursor_book.h"

struct sqlite3;

namespace seam {

class SqliteNotifyCursors final : public NotifyCursorBook {
 public:
  // Creates the file and its tables when missing. IoError naming the file otherwise.
  static Result<std::unique_ptr<SqliteNotifyCursors>> Open(const std::filesystem::path& file);
  ~SqliteNotifyCursors() override;
  SqliteNotifyCursors(const SqliteNotifyCursors&) = delete;
  SqliteNotifyCursors& operator=(const SqliteNotifyCursors&) = delete;

  Result<Cursors> Load(const std::string& target) override;
  Result<std::int64_t> Begin(const std::string& target, std::int64_t head) override;
  Status Advance(const std::string& target, const std::map<std::string, std::int64_t>& seqs) override;

 private:
  SqliteNotifyCursors() = default;
  Status Exec(const char* sql, const char* doing);
  Status Error(const char* doing) const;

  std::string file_;
  sqlite3* db_ = nullptr;
};

}  // namespace seam
