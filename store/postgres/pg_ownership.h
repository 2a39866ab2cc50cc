#pragma once
// PgOwnership: the ownership leases (core/ownership.h) of the PostgreSQL store, rows of
// seam_owners timed by the server's clock (clock_timestamp(), so hosts' clocks never matter).
// A Claim is one statement for all of an agent's streams, so renewing a host's leases costs one
// round trip every renewal interval whatever the number of seams. seam_append checks an
// append's epoch against the same rows (store/postgres/pg_schema.cc).

#include <memory>
#include <string>
#include <vector>

#include "core/ownership.h"

namespace seam::pg {

class Connection;

class PgOwnership final : public OwnershipLeases {
 public:
  explicit PgOwnership(std::unique_ptr<Connection> conn);
  ~PgOwnership() override;

  Result<std::vector<OwnerLease>> Claim(const LeaseHolder& holder, const std::vector<std::string>& streams,
                                        std::chrono::milliseconds lease) override;
  Status Release(const LeaseHolder& holder, const std::vector<std::string>& streams) override;
  Result<std::vector<OwnerLease>> List() override;
  Result<std::vector<AgentSeen>> Seen(const LeaseHolder& holder, const std::string& config_hash) override;
  Status Publish(const LeaseHolder& holder, const std::vector<SideObservation>& observed) override;
  Result<std::vector<SideObservation>> Observations() override;

 private:
  std::unique_ptr<Connection> conn_;
};

}  // namespace seam::pg
