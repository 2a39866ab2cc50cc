#pragma once
// PgNotifyCursors: the NotifyCursorBook (core/notify_cursor_book.h) of the PostgreSQL store, in its
// seam_notify_cursors table (schema version 4): one row per (target, stream), the target's start
// in the row of stream ''. Every host's agent reads and advances the same rows, so the one that
// takes a seam over notifies from where the last owner stopped. Advance is one upsert that never
// moves a cursor back (greatest()), whoever writes last.

#include <memory>

#include "core/notify_cursor_book.h"

namespace seam::pg {

class Connection;

class PgNotifyCursors final : public NotifyCursorBook {
 public:
  explicit PgNotifyCursors(std::unique_ptr<Connection> conn);
  ~PgNotifyCursors() override;

  Result<Cursors> Load(const std::string& target) override;
  Result<std::int64_t> Begin(const std::string& target, std::int64_t head) override;
  Status Advance(const std::string& target, const std::map<std::string, std::int64_t>& seqs) override;

 private:
  std::unique_ptr<Connection> conn_;
};

}  // namespace seam::pg
