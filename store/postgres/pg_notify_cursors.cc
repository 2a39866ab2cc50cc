#include "store/postgres/pg_notify_cursors.h"

#include <string>
#include <vector>

#include "store/postgres/pg_conn.h"

namespace seam::pg {

PgNotifyCursors::PgNotifyCursors(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}
PgNotifyCursors::~PgNotifyCursors() = default;

Result<NotifyCursorBook::Cursors> PgNotifyCursors::Load(const std::string& target) {
  Params params;
  params.Text(target);
  SEAM_ASSIGN_OR_RETURN(Rows rows, conn_->Exec("SELECT stream, seq FROM seam_notify_cursors WHERE target = $1", params,
                                               "reading the notification cursors"));
  Cursors out;
  for (int i = 0; i < rows.count(); ++i) {
    if (rows.Text(i, 0).empty()) {
      out.start = rows.Int(i, 1);
    } else {
      out.streams[std::string(rows.Text(i, 0))] = rows.Int(i, 1);
    }
  }
  return out;
}

Result<std::int64_t> PgNotifyCursors::Begin(const std::string& target, std::int64_t head) {
  Params params;
  params.Text(target).Int(head);
  // The first agent's start stands; the others read it back (RETURNING gives no row on conflict).
  SEAM_RETURN_IF_ERROR(conn_
                           ->Exec("INSERT INTO seam_notify_cursors (target, stream, seq) VALUES ($1, '', $2) "
                                  "ON CONFLICT (target, stream) DO NOTHING",
                                  params, "writing the notification cursors")
                           .status());
  SEAM_ASSIGN_OR_RETURN(Cursors kept, Load(target));
  if (!kept.start) return Status::IoError(conn_->describe() + ": the notification start of " + target + " vanished");
  return *kept.start;
}

Status PgNotifyCursors::Advance(const std::string& target, const std::map<std::string, std::int64_t>& seqs) {
  if (seqs.empty()) return Status::Ok();
  std::vector<std::string> streams;
  std::vector<std::int64_t> values;
  for (const auto& [stream, seq] : seqs) {
    streams.push_back(stream);
    values.push_back(seq);
  }
  Params params;
  params.Text(target).TextArray(streams).IntArray(values);
  return conn_
      ->Exec("INSERT INTO seam_notify_cursors AS c (target, stream, seq) "
             "SELECT $1, * FROM unnest($2::text[], $3::bigint[]) "
             "ON CONFLICT (target, stream) DO UPDATE SET seq = greatest(c.seq, excluded.seq)",
             params, "writing the notification cursors")
      .status();
}

}  // namespace seam::pg
