#include "store/postgres/pg_confirmation_book.h"

#include <algorithm>
#include <vector>

#include "store/postgres/pg_conn.h"

namespace seam::pg {

PgConfirmationBook::PgConfirmationBook(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}
PgConfirmationBook::~PgConfirmationBook() = default;

std::int64_t PgConfirmationBook::LastInSync(const std::string& stream, const std::string& side) {
  auto key = std::make_pair(stream, side);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second.at_us;
  Params params;
  params.Text(stream).Text(side);
  Result<Rows> rows = conn_->Exec("SELECT confirmed_at_us FROM seam_confirmations WHERE stream = $1 AND side = $2",
                                  params, "reading the confirmation book");
  if (!rows.ok()) {
    if (read_error_.empty()) read_error_ = rows.status().message();
    return 0;  // not cached: the next call tries again
  }
  const std::int64_t at = rows->count() == 1 ? rows->Int(0, 0) : 0;
  cache_.emplace(std::move(key), Entry{at, false});
  return at;
}

void PgConfirmationBook::Confirm(const std::string& stream, const std::string& side, std::int64_t at_us) {
  Entry& e = cache_[std::make_pair(stream, side)];
  if (at_us > e.at_us) {
    e.at_us = at_us;
    e.dirty = true;
  }
}

Status PgConfirmationBook::Flush() {
  std::vector<std::string> streams, sides;
  std::vector<std::int64_t> times;
  for (const auto& [key, e] : cache_) {
    if (!e.dirty) continue;
    streams.push_back(key.first);
    sides.push_back(key.second);
    times.push_back(e.at_us);
  }
  if (!streams.empty()) {
    Params params;
    params.TextArray(streams).TextArray(sides).IntArray(times);
    SEAM_RETURN_IF_ERROR(
        conn_
            ->Exec("INSERT INTO seam_confirmations AS c (stream, side, confirmed_at_us) "
                   "SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) "
                   "ON CONFLICT (stream, side) DO UPDATE "
                   "SET confirmed_at_us = greatest(c.confirmed_at_us, excluded.confirmed_at_us)",
                   params, "writing the confirmation book")
            .status());
    for (auto& [key, e] : cache_) e.dirty = false;
  }
  if (!read_error_.empty()) {
    std::string error;
    std::swap(error, read_error_);
    return Status::IoError(error);
  }
  return Status::Ok();
}

}  // namespace seam::pg
