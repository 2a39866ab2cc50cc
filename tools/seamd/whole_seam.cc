#include "tools/seamd/whole_seam.h"

#include <algorithm>

#include "core/clock.h"

namespace seam::seamd {
namespace {

using Json = nlohmann::ordered_json;

Json TimeOrNull(std::int64_t us) { return us == 0 ? Json(nullptr) : Json(FormatTimeMicros(us)); }
Json AgeOrNull(std::int64_t at_us, std::int64_t now_us) {
  if (at_us == 0) return nullptr;
  return static_cast<double>(std::max<std::int64_t>(0, now_us - at_us) / 1000) / 1000.0;
}

// A side nobody can vouch for now: what it held is dropped, the open drift (from the log) kept.
Json Unreadable(const std::string& name, const std::string& detail, Json drift) {
  return Json{{"name", name},          {"verdict", "unreadable"}, {"holds_version", nullptr},
              {"fingerprint", nullptr}, {"detail", detail},        {"not_after", nullptr},
              {"days_left", nullptr},   {"chain_not_after", nullptr}, {"drift", std::move(drift)}};
}

const AgentSeen* FindAgent(const AgentsView& view, const std::string& agent) {
  for (const AgentSeen& a : view.agents) {
    if (a.agent == agent) return &a;
  }
  return nullptr;
}

// Why `agent`'s observations cannot be trusted now; "" when they can.
std::string Silence(const AgentsView& view, const std::string& agent) {
  const AgentSeen* seen = FindAgent(view, agent);
  if (seen == nullptr) return "agent " + agent + " has not reported to the store";
  if (seen->silent_s() > view.silent_after_s) return "agent " + agent + " silent since " + FormatTimeMicros(seen->seen_at_us);
  return "";
}

// The side as the agent acting on it last reported it, or why it is unreadable here.
Json SharedSide(const SideConfig& side, const std::map<std::string, SideObservation>* shared, const AgentsView& view,
                std::int64_t now_us) {
  const SideObservation* o = nullptr;
  if (shared != nullptr) {
    if (auto it = shared->find(side.name); it != shared->end()) o = &it->second;
  }
  if (o == nullptr) {
    const std::string who = side.agent.empty() ? "the seam's owner" : "agent " + side.agent;
    std::string detail = "not observed yet: no observation from " + who + " on record";
    if (!side.agent.empty()) {
      if (const std::string silent = Silence(view, side.agent); !silent.empty()) detail = silent;
    }
    Json j = Unreadable(side.name, detail, nullptr);
    j["agent"] = side.agent.empty() ? Json(nullptr) : Json(side.agent);
    j["observed_at"] = nullptr;
    j["age_s"] = nullptr;
    return j;
  }
  Json j = Json::parse(o->report, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    j = Unreadable(side.name, "agent " + o->agent + " shared an observation that is not a JSON object", nullptr);
  }
  j["name"] = side.name;
  // The agent that observed it must still be alive to vouch for it; and a side named for another
  // agent than the one that last observed it (the config changed) is not vouched for either.
  std::string silent = Silence(view, o->agent);
  if (silent.empty() && !side.agent.empty() && side.agent != o->agent) {
    silent = "observed by agent " + o->agent + ", but agent " + side.agent + " is named for it";
  }
  if (!silent.empty()) j = Unreadable(side.name, silent, j.contains("drift") ? j["drift"] : Json(nullptr));
  j["agent"] = o->agent;
  j["observed_at"] = TimeOrNull(o->observed_at_us);
  j["age_s"] = AgeOrNull(o->observed_at_us, now_us);
  return j;
}

// The seam's status over all its sides (reconcile_pass.cc ComputeStatus's order): this
// agent's pass decided the rest (pending, flapping, unset) from the log.
std::string StatusOverAll(const std::string& own, const Json& sides) {
  bool drift = false, unreadable = false, expiring = false;
  for (const Json& s : sides) {
    const std::string v = s.value("verdict", "");
    drift = drift || v == "lagging" || v == "foreign" || v == "missing";
    unreadable = unreadable || v == "unreadable";
    expiring = expiring || v == "expiring";
  }
  if (own == "flapping" || own == "drift") return own;
  if (drift) return "drift";
  if (unreadable) return "unknown";
  if (own == "elsewhere") return expiring ? "expiring" : "in_sync";
  if (own == "in_sync" && expiring) return "expiring";
  return own;
}

}  // namespace

void CompleteSeamEntry(Json& entry, const SeamConfig& seam, std::int64_t last_pass_at_us, const std::string& agent,
                       std::int64_t now_us, const AgentsView* view) {
  std::map<std::string, Json> own;
  for (Json& side : entry["sides"]) {
    side["agent"] = agent;
    side["observed_at"] = TimeOrNull(last_pass_at_us);
    side["age_s"] = AgeOrNull(last_pass_at_us, now_us);
    own.emplace(side.value("name", ""), side);
  }
  if (view == nullptr) return;
  const std::map<std::string, SideObservation>* shared = nullptr;
  if (auto it = view->observations.find(seam.stream()); it != view->observations.end()) shared = &it->second;
  Json sides = Json::array();
  for (const SideConfig& side : seam.sides) {
    auto mine = own.find(side.name);
    // This agent's own observation, unless another agent has observed the side since (the
    // seam's owner now, after this one lost the lease and ran no pass over that side again).
    bool newer_elsewhere = false;
    if (shared != nullptr) {
      auto o = shared->find(side.name);
      newer_elsewhere = o != shared->end() && o->second.agent != agent && o->second.observed_at_us > last_pass_at_us;
    }
    sides.push_back(mine != own.end() && !newer_elsewhere ? std::move(mine->second)
                                                           : SharedSide(side, shared, *view, now_us));
  }
  entry["status"] = StatusOverAll(entry.value("status", "unknown"), sides);
  entry["sides"] = std::move(sides);
}

}  // namespace seam::seamd
