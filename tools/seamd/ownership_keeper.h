#pragma once
// OwnershipKeeper: the ownership leases (core/ownership.h) this seamd holds as its agent, claimed
// and renewed on a thread of its own (a claim is a round trip to the database, and the event
// loop never waits on one).
//
// Every `renew` interval one Seen says this agent is alive (and reads every agent), and one Claim covers the streams of every seam that needs an owner (some
// side names no agent, core/agent.h). A lease counts as this agent's only until the time the
// claim was *sent*, by this process's monotonic clock, plus the lease, minus `margin`: the
// database's expiry is later than that (its clock started later), so this agent stops starting
// writes before its lease can have expired, whatever a pause (SIGSTOP) or a partition did to it
// meanwhile. The appends of its passes are fenced by the epoch anyway (AppendFence): an owner
// that slept through a takeover records nothing and, after a fenced RepairStarted, writes nothing.
//
// Without leases (a store one host keeps: Store::OpenOwnership fails) this agent owns every seam,
// unfenced (epoch 0), as seamd always did.
//
// The claiming thread shares its state with the keeper (Core) and never touches the keeper: a
// keeper dropped by a reload detaches it, and it ends after the claim in flight, so whichever
// thread drops the last reference (the event loop's, often) never waits for a round trip. Only a
// keeper told to ReleaseWhenDone (seamd stopping) joins it, to release the leases after it.
//
// The keeper's thread also shares this agent's side observations through the store (Publish:
// sent at the next renewal, one round trip for all of them) and reads every agent's every
// `observations_every` renewals (Observations), so /status shows the whole seam.
//
// Thread-safety: every public method may be called from any thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/ownership.h"

namespace seam::seamd {

class OwnershipKeeper {
 public:
  struct Timing {
    std::chrono::milliseconds lease{1500};
    std::chrono::milliseconds renew{500};
    std::chrono::milliseconds margin{250};
    int observations_every = 4;  // renewals between reads of the shared observations
  };

  // `leases` null: no leases (above). `holder`: this agent and this process (core/ownership.h).
  // `on_gained(stream)` runs on the keeper's thread when a lease becomes this process's (taken,
  // not renewed), never after Retire or destruction began: post and return.
  // `config_hash`: SHA-256 hex of this agent's config file, recorded with its heartbeat (every
  // renewal, with or without streams to claim: OwnershipLeases::Seen).
  OwnershipKeeper(std::unique_ptr<OwnershipLeases> leases, LeaseHolder holder, std::string config_hash,
                  std::vector<std::string> streams, Timing timing,
                  std::function<void(const std::string& stream)> on_gained);
  // Stops the thread; after ReleaseWhenDone, also releases the leases held, so another agent
  // takes over at once. (A keeper replaced by a reload keeps them: its successor, the same agent,
  // renews them.) Destroyed when the last pass holding it has ended: no pass of this agent's is
  // writing a side when another agent can take over.
  ~OwnershipKeeper();
  OwnershipKeeper(const OwnershipKeeper&) = delete;
  OwnershipKeeper& operator=(const OwnershipKeeper&) = delete;

  // The epoch to fence with when `stream` is this agent's now (0 without leases); nullopt when it
  // is another agent's, or this agent's lease may have run out.
  std::optional<std::int64_t> Owned(const std::string& stream) const;
  // The leases as last claimed (empty without leases), for status.
  std::vector<OwnerLease> Leases() const;
  bool fenced() const;
  // seamd stops: no further claims, and the leases go when the keeper does.
  void ReleaseWhenDone();
  // A reload replaced this keeper by one for the new configuration (same holder, so it renews
  // these leases under their epochs): stop claiming and waking runners now, though passes still
  // running may hold this keeper until they end.
  void Retire();
  const std::string& agent() const;
  const LeaseHolder& holder() const;
  // Why the last claim failed; empty when it worked (or none was made yet).
  std::string ClaimError() const;
  // Every agent as the last heartbeat read them (empty without leases, or before the first).
  std::vector<AgentSeen> Agents() const;
  const std::string& config_hash() const;
  // An agent not heard from for this long is silent (10 renewals).
  std::chrono::milliseconds silent_after() const;

  // Shares the sides of `stream` this agent just observed (`report`: each side's `check --json`
  // entry, by side name); a later call for the same side replaces one not yet sent. Nothing
  // without leases (a store one host keeps: nothing to share).
  void Publish(const std::string& stream, const std::vector<std::pair<std::string, std::string>>& reports);
  // Every side observation on record as last read (empty without leases, or before the first
  // read), with observed_at_us by this host's clock (the store's time shifted by the difference
  // of the clocks when read), keyed by stream then side.
  std::map<std::string, std::map<std::string, SideObservation>> Observations() const;

 private:
  struct Core;
  static void Run(const std::shared_ptr<Core>& core);
  static void ClaimOnce(Core& core);
  static void SayAlive(Core& core);
  static void ShareObservations(Core& core, bool read);

  std::shared_ptr<Core> core_;
  std::thread thread_;
};

}  // namespace seam::seamd
