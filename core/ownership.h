#pragma once
// Ownership leases: which agent owns a seam's stream right now, for seams that several hosts'
// agents share (README "Many hosts"). The owner observes and repairs the sides no agent is named
// for, and appends its records fenced by the lease's epoch (AppendFence, core/event_store.h).
//
// A lease is a row in the store, timed by the store's clock (never an agent's): held until
// `expires_at`, renewed by its holder, free to anyone once expired. Every change of holder, and
// every taking of an expired lease (by anyone, its last holder too), bumps the epoch: the fencing
// token an append carries. So an owner that was paused or cut off past its lease never appends
// again under the epoch it had, even when nobody took over meanwhile.
//
// Thread-compatible: one object is used from one thread at a time.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace seam {

// Who claims a lease: an agent (a host's name, core/agent.h) and the one process of it that
// claims. Two processes under one agent name (a seamd restarted while the old one is frozen, or
// two hosts configured alike) are two holders: one cannot renew the other's lease, and taking it
// over, once it has expired, is a new epoch, so the frozen one is fenced off when it wakes.
struct LeaseHolder {
  std::string agent;
  std::string instance;  // unique per process (seamd draws it at start; a reload keeps it)
};

struct OwnerLease {
  std::string stream;
  std::string agent;               // the holder, or the last holder when expired
  std::string instance;            // the holder's process
  std::int64_t epoch = 0;          // 1 for the first holder, +1 at every taking
  std::int64_t expires_at_us = 0;  // by the store's clock
  std::int64_t store_now_us = 0;   // the store's clock when the row was read
  bool held() const { return expires_at_us > store_now_us; }
  bool HeldBy(const LeaseHolder& h) const { return held() && agent == h.agent && instance == h.instance; }
};

// An agent as the store last heard from it (OwnershipLeases::Seen): every seamd says so each
// time it renews, leases or none, so any agent can tell which others are alive, since when one
// is silent, and whether they all run the same configuration.
struct AgentSeen {
  std::string agent;
  std::string instance;       // its process (the last one to report under that name)
  std::string config_hash;    // SHA-256 hex of its config file's bytes
  std::int64_t seen_at_us = 0;    // by the store's clock
  std::int64_t store_now_us = 0;  // the store's clock when the row was read
  double silent_s() const { return static_cast<double>(store_now_us - seen_at_us) / 1e6; }
};

// A side as the agent that acts on it last observed it, shared through the store so every agent
// shows the whole seam (README "Many hosts"): the agent named for the side, or the seam's owner
// for a side no agent is named for. `report` is the side's entry of `seamctl check --json`
// (fingerprints, never a value). One row per stream and side: the last observation wins.
struct SideObservation {
  std::string stream;
  std::string side;
  std::string agent;
  std::string report;            // a JSON object
  std::int64_t observed_at_us = 0;  // by the store's clock (Observations), or
  std::int64_t age_us = 0;          // Publish: how long before the call the side was observed
  std::int64_t store_now_us = 0;    // the store's clock when the row was read
};

class OwnershipLeases {
 public:
  virtual ~OwnershipLeases() = default;

  // In one statement: every lease of `streams` that is free, expired or already `holder`'s becomes
  // `holder`'s until the store's now + `lease`; one taken (not renewed) gets epoch + 1. Returns the
  // leases of all `streams` afterwards, in stream order, whoever holds them; the caller's are
  // those HeldBy(holder).
  virtual Result<std::vector<OwnerLease>> Claim(const LeaseHolder& holder, const std::vector<std::string>& streams,
                                                std::chrono::milliseconds lease) = 0;

  // Ends `holder`'s leases on `streams` now (a clean shutdown), so another agent takes over at once
  // instead of after the lease. Leases held by others (another process of the same agent too) are
  // untouched.
  virtual Status Release(const LeaseHolder& holder, const std::vector<std::string>& streams) = 0;

  // Every lease on record, in stream order.
  virtual Result<std::vector<OwnerLease>> List() = 0;

  // Records that `holder` (running the configuration whose hash is `config_hash`) is alive now,
  // and returns every agent on record, in name order, in the same round trip.
  virtual Result<std::vector<AgentSeen>> Seen(const LeaseHolder& holder, const std::string& config_hash) = 0;

  // Records `observed` (each with its age_us; `agent` and `observed_at_us` are ignored: the
  // holder's and the store's now minus the age), replacing what was on record for those sides.
  virtual Status Publish(const LeaseHolder& holder, const std::vector<SideObservation>& observed) = 0;
  // Every side observation on record, in stream and side order.
  virtual Result<std::vector<SideObservation>> Observations() = 0;
};

}  // namespace seam
