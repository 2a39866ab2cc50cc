#pragma once
// The whole seam as /status shows it when several hosts' agents share the store (README "Many
// hosts"): this agent's last pass reports only the sides it acts on; the others come from the
// observations every agent shares through the store (OwnershipKeeper::Publish), each with the
// agent that made it and its age. A side whose agent has gone silent (no heartbeat for
// `silent_after_s`) is `unreadable` ("agent gw2 silent since T"), never `in_sync`: what it held
// when last seen says nothing about now. So is a side no agent has reported yet. The seam's
// status is then that of all its sides.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/ownership.h"

namespace seam::seamd {

struct AgentsView {
  std::vector<AgentSeen> agents;  // every agent on record (the keeper's last heartbeat read)
  double silent_after_s = 5;
  // By stream, then side: every agent's last observations (OwnershipKeeper::Observations).
  std::map<std::string, std::map<std::string, SideObservation>> observations;
};

// Completes `entry` (SeamReportJson of this agent's last pass of `seam`, or the entry of a seam
// it has not run a pass of) in place: each side gets "agent", "observed_at" and "age_s" at
// `now_us` (this agent's sides: `last_pass_at_us`, 0 when no pass ran; all times this host's
// clock), the sides it lacks are added from `view` in the seam's order, and "status" is
// recomputed over them all. `view` null: a store one host keeps, where this agent acts on every
// side; only the three fields are added.
void CompleteSeamEntry(nlohmann::ordered_json& entry, const SeamConfig& seam, std::int64_t last_pass_at_us,
                       const std::string& agent, std::int64_t now_us, const AgentsView* view);

}  // namespace seam::seamd
