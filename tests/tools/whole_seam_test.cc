// The whole seam as /status shows it when agents share a store (tools/seamd/whole_seam.h):
// this agent's sides from its pass, the others from the shared observations with their agent
// and age; a silent agent's sides, and sides nobody reported, unreadable, never in_sync.
#include "tools/seamd/whole_seam.h"

#include <gtest/gtest.h>

#include <string>

#include "core/clock.h"

namespace seam::seamd {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::int64_t kNow = 1'800'000'000'000'000;  // this host's clock, microseconds

SeamConfig Seam() {
  SeamConfig seam;
  seam.name = "device-token";
  seam.kind = "token";
  seam.entity = "device-42";
  SideConfig cli, gateway, shared;
  cli.name = "cli";
  cli.agent = "gw1";
  gateway.name = "gateway";
  gateway.agent = "gw2";
  shared.name = "shared";  // no agent: the owner's
  seam.sides = {cli, gateway, shared};
  return seam;
}

Json Side(const std::string& name, const std::string& verdict) {
  return Json{{"name", name}, {"verdict", verdict}, {"holds_version", 3}, {"fingerprint", "fp:0123456789ab"},
              {"detail", "holds version 3"}, {"drift", nullptr}};
}

// gw1's own pass covered `cli`; gw2 shared `gateway` 2 s ago, gw1 (the owner) `shared`.
struct Fixture {
  Json entry = Json{{"name", "device-token"}, {"status", "in_sync"}, {"sides", Json::array({Side("cli", "in_sync")})}};
  AgentsView view;
  Fixture() {
    view.silent_after_s = 5;
    view.agents = {AgentSeen{"gw1", "i1", "h", kNow, kNow}, AgentSeen{"gw2", "i2", "h", kNow - 1'000'000, kNow}};
    Share("gateway", "gw2", Side("gateway", "in_sync"), kNow - 2'000'000);
    Share("shared", "gw1", Side("shared", "in_sync"), kNow - 500'000);
  }
  void Share(const std::string& side, const std::string& agent, const Json& report, std::int64_t at_us) {
    SideObservation o;
    o.stream = "token/device-42";
    o.side = side;
    o.agent = agent;
    o.report = report.dump();
    o.observed_at_us = at_us;
    view.observations[o.stream][side] = o;
  }
  Json Complete() {
    Json out = entry;
    CompleteSeamEntry(out, Seam(), kNow - 250'000, "gw1", kNow, &view);
    return out;
  }
};

TEST(WholeSeamTest, EverySideInConfigOrderWithItsAgentAndAge) {
  Fixture f;
  const Json out = f.Complete();
  ASSERT_EQ(out["sides"].size(), 3u) << out.dump(2);
  EXPECT_EQ(out["sides"][0]["name"], "cli");
  EXPECT_EQ(out["sides"][0]["agent"], "gw1");
  EXPECT_DOUBLE_EQ(out["sides"][0]["age_s"].get<double>(), 0.25);
  EXPECT_EQ(out["sides"][1]["name"], "gateway");
  EXPECT_EQ(out["sides"][1]["agent"], "gw2");
  EXPECT_EQ(out["sides"][1]["verdict"], "in_sync");
  EXPECT_EQ(out["sides"][1]["fingerprint"], "fp:0123456789ab");
  EXPECT_DOUBLE_EQ(out["sides"][1]["age_s"].get<double>(), 2.0);
  EXPECT_EQ(out["sides"][1]["observed_at"], FormatTimeMicros(kNow - 2'000'000));
  EXPECT_EQ(out["sides"][2]["agent"], "gw1");
  EXPECT_EQ(out["status"], "in_sync");
}

TEST(WholeSeamTest, ASilentAgentsSidesAreUnreadableNeverInSync) {
  Fixture f;
  f.view.agents[1].seen_at_us = kNow - 6'000'000;  // gw2 silent for 6 s > 5 s
  const Json out = f.Complete();
  const Json& gateway = out["sides"][1];
  EXPECT_EQ(gateway["verdict"], "unreadable") << out.dump(2);
  EXPECT_EQ(gateway["detail"], "agent gw2 silent since " + FormatTimeMicros(kNow - 6'000'000));
  EXPECT_TRUE(gateway["fingerprint"].is_null());
  EXPECT_EQ(gateway["agent"], "gw2");
  EXPECT_EQ(out["status"], "unknown");
}

TEST(WholeSeamTest, ASideNobodyReportedIsUnreadableAndSaysWhoseItIs) {
  Fixture f;
  f.view.observations.clear();
  f.view.agents.pop_back();  // gw2 never reported at all
  const Json out = f.Complete();
  EXPECT_EQ(out["sides"][1]["verdict"], "unreadable");
  EXPECT_EQ(out["sides"][1]["detail"], "agent gw2 has not reported to the store");
  EXPECT_EQ(out["sides"][2]["detail"], "not observed yet: no observation from the seam's owner on record");
  EXPECT_TRUE(out["sides"][2]["agent"].is_null());
  EXPECT_EQ(out["status"], "unknown");
}

TEST(WholeSeamTest, AnotherAgentsDriftMakesTheSeamDrift) {
  Fixture f;
  f.Share("gateway", "gw2", Side("gateway", "foreign"), kNow - 1'000'000);
  EXPECT_EQ(f.Complete()["status"], "drift");
  // This agent has no side and does not own the seam: "elsewhere" becomes the seam's status.
  f.entry = Json{{"name", "device-token"}, {"status", "elsewhere"}, {"sides", Json::array()}};
  EXPECT_EQ(f.Complete()["status"], "drift");
  f.Share("gateway", "gw2", Side("gateway", "in_sync"), kNow - 1'000'000);
  f.Share("cli", "gw1", Side("cli", "in_sync"), kNow - 1'000'000);
  EXPECT_EQ(f.Complete()["status"], "in_sync");
}

TEST(WholeSeamTest, AnObservationByAnAgentNotNamedForTheSideOrNotJsonIsNotTrusted) {
  Fixture f;
  f.Share("gateway", "gw1", Side("gateway", "in_sync"), kNow - 1'000'000);  // the config moved it to gw2
  Json out = f.Complete();
  EXPECT_EQ(out["sides"][1]["verdict"], "unreadable");
  EXPECT_EQ(out["sides"][1]["detail"], "observed by agent gw1, but agent gw2 is named for it");
  f.view.observations["token/device-42"]["gateway"].report = "{not json";
  f.view.observations["token/device-42"]["gateway"].agent = "gw2";
  out = f.Complete();
  EXPECT_EQ(out["sides"][1]["verdict"], "unreadable");
  EXPECT_EQ(out["sides"][1]["detail"], "agent gw2 shared an observation that is not a JSON object");
}

// gw1 owned the seam and observed `shared` at its last pass; gw2 owns it now and has observed
// it since: gw2's observation is shown, not gw1's older one.
TEST(WholeSeamTest, AnotherAgentsNewerObservationOfASideWinsOverThisAgentsOlderOne) {
  Fixture f;
  f.entry["sides"].push_back(Side("shared", "lagging"));
  f.Share("shared", "gw2", Side("shared", "in_sync"), kNow - 100'000);  // after gw1's pass (kNow - 250 ms)
  Json out = f.Complete();
  EXPECT_EQ(out["sides"][2]["agent"], "gw2") << out.dump(2);
  EXPECT_EQ(out["sides"][2]["verdict"], "in_sync");
  f.Share("shared", "gw2", Side("shared", "in_sync"), kNow - 900'000);  // before it: gw1's own stands
  out = f.Complete();
  EXPECT_EQ(out["sides"][2]["agent"], "gw1");
  EXPECT_EQ(out["sides"][2]["verdict"], "lagging");
}

TEST(WholeSeamTest, OnAStoreOneHostKeepsOnlyTheObserverAndAgeAreAdded) {
  Fixture f;
  Json out = f.entry;
  CompleteSeamEntry(out, Seam(), kNow - 1'000'000, "gw1", kNow, nullptr);
  ASSERT_EQ(out["sides"].size(), 1u);
  EXPECT_EQ(out["sides"][0]["agent"], "gw1");
  EXPECT_DOUBLE_EQ(out["sides"][0]["age_s"].get<double>(), 1.0);
  EXPECT_EQ(out["status"], "in_sync");
}

}  // namespace
}  // namespace seam::seamd
