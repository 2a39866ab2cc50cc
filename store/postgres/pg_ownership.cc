#include "store/postgres/pg_ownership.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "store/postgres/pg_conn.h"

namespace seam::pg {
namespace {

// Microseconds since the Unix epoch, as the server's clock has them.
constexpr char kLeaseColumns[] =
    "stream, agent, instance, epoch, (extract(epoch FROM expires_at) * 1000000)::bigint, "
    "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint";

// A taken lease (free, expired, or expired and taken back by its last holder) gets epoch + 1; a
// renewal, by the holder (agent and instance) of a lease that has not expired, keeps it. A lease
// another holder has is left alone, another process of the same agent's too: ON CONFLICT's WHERE
// skips it, and the second half of the UNION reports it. Two
// agents claiming one free stream at once: the second waits on the first's row, then finds it
// held. (Under READ COMMITTED the second half cannot see a row committed after the statement
// began; Claim reads such streams once more.)
constexpr char kClaim[] = R"sql(
WITH claimed AS (
  INSERT INTO seam_owners AS o (stream, agent, instance, epoch, expires_at)
    SELECT s, $1, $4, 1, clock_timestamp() + make_interval(secs => $3::double precision / 1000)
    FROM unnest($2::text[]) AS s
  ON CONFLICT (stream) DO UPDATE SET
    epoch = CASE WHEN o.agent = EXCLUDED.agent AND o.instance = EXCLUDED.instance
                      AND o.expires_at > clock_timestamp() THEN o.epoch
                 ELSE o.epoch + 1 END,
    agent = EXCLUDED.agent,
    instance = EXCLUDED.instance,
    expires_at = EXCLUDED.expires_at
  WHERE (o.agent = EXCLUDED.agent AND o.instance = EXCLUDED.instance) OR o.expires_at <= clock_timestamp()
  RETURNING o.stream, o.agent, o.instance, o.epoch, o.expires_at
)
SELECT stream, agent, instance, epoch, (extract(epoch FROM expires_at) * 1000000)::bigint,
       (extract(epoch FROM clock_timestamp()) * 1000000)::bigint FROM claimed
UNION ALL
SELECT o.stream, o.agent, o.instance, o.epoch, (extract(epoch FROM o.expires_at) * 1000000)::bigint,
       (extract(epoch FROM clock_timestamp()) * 1000000)::bigint
  FROM seam_owners o WHERE o.stream = ANY($2::text[]) AND o.stream NOT IN (SELECT stream FROM claimed)
ORDER BY 1
)sql";

// The agent's row upserted, and every row: the upserted one as RETURNING has it (the statement's
// snapshot does not see it), the others as they were.
constexpr char kSeen[] = R"sql(
WITH seen AS (
  INSERT INTO seam_agents AS a (agent, instance, config_hash, seen_at)
    VALUES ($1, $2, $3, clock_timestamp())
  ON CONFLICT (agent) DO UPDATE SET instance = EXCLUDED.instance, config_hash = EXCLUDED.config_hash,
                                    seen_at = EXCLUDED.seen_at
  RETURNING a.agent, a.instance, a.config_hash, a.seen_at
)
SELECT agent, instance, config_hash, (extract(epoch FROM seen_at) * 1000000)::bigint,
       (extract(epoch FROM clock_timestamp()) * 1000000)::bigint FROM seen
UNION ALL
SELECT agent, instance, config_hash, (extract(epoch FROM seen_at) * 1000000)::bigint,
       (extract(epoch FROM clock_timestamp()) * 1000000)::bigint FROM seam_agents WHERE agent <> $1
ORDER BY 1
)sql";

// Rows in parallel arrays, one statement: a renewal interval's observations cost one round trip.
// ON CONFLICT may not touch a row twice in one statement: Publish passes each side once.
constexpr char kPublish[] = R"sql(
INSERT INTO seam_observations AS o (stream, side, agent, report, observed_at)
  SELECT stream, side, $1, report, clock_timestamp() - make_interval(secs => age_us::double precision / 1000000)
  FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[]) AS t (stream, side, report, age_us)
ON CONFLICT (stream, side) DO UPDATE SET agent = EXCLUDED.agent, report = EXCLUDED.report,
                                         observed_at = EXCLUDED.observed_at
)sql";

std::vector<OwnerLease> ToLeases(const Rows& rows) {
  std::vector<OwnerLease> out;
  for (int i = 0; i < rows.count(); ++i) {
    out.push_back(OwnerLease{std::string(rows.Text(i, 0)), std::string(rows.Text(i, 1)), std::string(rows.Text(i, 2)),
                             rows.Int(i, 3), rows.Int(i, 4), rows.Int(i, 5)});
  }
  return out;
}

}  // namespace

PgOwnership::PgOwnership(std::unique_ptr<Connection> conn) : conn_(std::move(conn)) {}
PgOwnership::~PgOwnership() = default;

Result<std::vector<OwnerLease>> PgOwnership::Claim(const LeaseHolder& holder, const std::vector<std::string>& streams,
                                                   std::chrono::milliseconds lease) {
  if (holder.agent.empty() || holder.instance.empty() || lease.count() <= 0) {
    return Status::InvalidArgument("an ownership claim needs an agent name, an instance and a lease > 0 ms (agent '" +
                                   holder.agent + "', instance '" + holder.instance + "', lease " +
                                   std::to_string(lease.count()) + " ms)");
  }
  // ON CONFLICT may not touch one row twice in a statement: each stream once.
  const std::set<std::string> unique(streams.begin(), streams.end());
  const std::vector<std::string> wanted(unique.begin(), unique.end());
  if (wanted.empty()) return std::vector<OwnerLease>();
  Params params;
  params.Text(holder.agent).TextArray(wanted).Int(lease.count()).Text(holder.instance);
  SEAM_ASSIGN_OR_RETURN(Rows rows, conn_->ExecPrepared("seam_claim", kClaim, params, "claiming ownership leases"));
  std::vector<OwnerLease> leases = ToLeases(rows);
  if (leases.size() < wanted.size()) {
    // Claimed by another agent after this statement's snapshot was taken: read them now.
    std::vector<std::string> missing;
    std::set<std::string> seen;
    for (const OwnerLease& l : leases) seen.insert(l.stream);
    for (const std::string& s : wanted) {
      if (!seen.contains(s)) missing.push_back(s);
    }
    Params more;
    more.TextArray(missing);
    SEAM_ASSIGN_OR_RETURN(Rows late, conn_->Exec(std::string("SELECT ") + kLeaseColumns +
                                                     " FROM seam_owners WHERE stream = ANY($1::text[])",
                                                 more, "reading ownership leases"));
    for (OwnerLease& l : ToLeases(late)) leases.push_back(std::move(l));
    std::sort(leases.begin(), leases.end(), [](const OwnerLease& a, const OwnerLease& b) { return a.stream < b.stream; });
  }
  return leases;
}

Status PgOwnership::Release(const LeaseHolder& holder, const std::vector<std::string>& streams) {
  if (streams.empty()) return Status::Ok();
  Params params;
  params.Text(holder.agent).TextArray(streams).Text(holder.instance);
  return conn_
      ->Exec("UPDATE seam_owners SET expires_at = clock_timestamp() WHERE agent = $1 AND instance = $3 "
             "AND stream = ANY($2::text[]) AND expires_at > clock_timestamp()",
             params, "releasing ownership leases")
      .status();
}

Result<std::vector<OwnerLease>> PgOwnership::List() {
  SEAM_ASSIGN_OR_RETURN(Rows rows, conn_->Exec(std::string("SELECT ") + kLeaseColumns + " FROM seam_owners ORDER BY stream",
                                               "reading ownership leases"));
  return ToLeases(rows);
}

Result<std::vector<AgentSeen>> PgOwnership::Seen(const LeaseHolder& holder, const std::string& config_hash) {
  if (holder.agent.empty() || holder.instance.empty()) {
    return Status::InvalidArgument("an agent's heartbeat needs its name and instance");
  }
  Params params;
  params.Text(holder.agent).Text(holder.instance).Text(config_hash);
  SEAM_ASSIGN_OR_RETURN(Rows rows, conn_->ExecPrepared("seam_seen", kSeen, params, "recording this agent as alive"));
  std::vector<AgentSeen> out;
  for (int i = 0; i < rows.count(); ++i) {
    out.push_back(AgentSeen{std::string(rows.Text(i, 0)), std::string(rows.Text(i, 1)), std::string(rows.Text(i, 2)),
                            rows.Int(i, 3), rows.Int(i, 4)});
  }
  return out;
}

Status PgOwnership::Publish(const LeaseHolder& holder, const std::vector<SideObservation>& observed) {
  if (holder.agent.empty()) return Status::InvalidArgument("side observations need the observing agent's name");
  // The last of each (stream, side), once.
  std::map<std::pair<std::string, std::string>, const SideObservation*> latest;
  for (const SideObservation& o : observed) latest[{o.stream, o.side}] = &o;
  if (latest.empty()) return Status::Ok();
  std::vector<std::string> streams, sides, reports;
  std::vector<std::int64_t> ages;
  for (const auto& [key, o] : latest) {
    streams.push_back(key.first);
    sides.push_back(key.second);
    reports.push_back(o->report);
    ages.push_back(std::max<std::int64_t>(0, o->age_us));
  }
  Params params;
  params.Text(holder.agent).TextArray(streams).TextArray(sides).TextArray(reports).IntArray(ages);
  return conn_->ExecPrepared("seam_publish", kPublish, params, "sharing side observations").status();
}

Result<std::vector<SideObservation>> PgOwnership::Observations() {
  SEAM_ASSIGN_OR_RETURN(Rows rows,
                        conn_->Exec("SELECT stream, side, agent, report, (extract(epoch FROM observed_at) * 1000000)::bigint, "
                                    "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint "
                                    "FROM seam_observations ORDER BY stream, side",
                                    "reading side observations"));
  std::vector<SideObservation> out;
  out.reserve(static_cast<std::size_t>(rows.count()));
  for (int i = 0; i < rows.count(); ++i) {
    SideObservation o;
    o.stream = rows.Text(i, 0);
    o.side = rows.Text(i, 1);
    o.agent = rows.Text(i, 2);
    o.report = rows.Text(i, 3);
    o.observed_at_us = rows.Int(i, 4);
    o.store_now_us = rows.Int(i, 5);
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace seam::pg
