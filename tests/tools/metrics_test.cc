// seamd's /metrics text (tools/seamd/metrics.h) for hand-made pass reports: the certificate
// expiry gauges an alert rule reads (`(x - time()) < 14*86400`), one series per side holding
// something that expires, none for the rest.
#include "tools/seamd/metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace seam::seamd {
namespace {

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(MetricsTest, CertificateExpiryGaugesPerSideAndForTheLog) {
  SeamReport cert;
  cert.name = "web-tls";
  cert.status = "in_sync";
  cert.intended_not_after = 1804102374;
  SideReport disk;
  disk.name = "disk";
  disk.not_after = 1804102374;
  disk.chain_not_after = 1790000000;
  SideReport served;
  served.name = "served";
  served.not_after = 1800000000;  // an older certificate still served
  cert.sides = {disk, served};
  SeamReport token;
  token.name = "device-token";
  token.status = "in_sync";
  SideReport cli;
  cli.name = "cli";
  token.sides = {cli};

  Metrics metrics;
  const std::string text = metrics.Render({{"web-tls", &cert}, {"device-token", &token}}, 10, 0, {});
  EXPECT_TRUE(Contains(text, "# TYPE seam_certificate_not_after_seconds gauge\n")) << text;
  EXPECT_TRUE(Contains(text, "seam_certificate_not_after_seconds{seam=\"web-tls\",side=\"disk\"} 1804102374\n"));
  EXPECT_TRUE(Contains(text, "seam_certificate_not_after_seconds{seam=\"web-tls\",side=\"served\"} 1800000000\n"));
  EXPECT_TRUE(Contains(text, "seam_certificate_intended_not_after_seconds{seam=\"web-tls\"} 1804102374\n"));
  EXPECT_TRUE(Contains(text, "seam_certificate_chain_not_after_seconds{seam=\"web-tls\",side=\"disk\"} 1790000000\n"));
  // No series for a side serving its leaf alone, nor for seams whose values do not expire.
  EXPECT_FALSE(Contains(text, "seam_certificate_chain_not_after_seconds{seam=\"web-tls\",side=\"served\"}"));
  EXPECT_FALSE(Contains(text, "device-token\",side=\"cli\"} 0"));
  EXPECT_FALSE(Contains(text, "seam_certificate_intended_not_after_seconds{seam=\"device-token\"}"));
}

// What the shipped alert rules read (tools/prometheus/seam-alerts.yml): an unreadable side's
// spell age, flapping, a pending operation's age; no series when there is nothing to age.
TEST(MetricsTest, UnreadableFlappingAndPendingGaugesForTheAlertRules) {
  constexpr std::int64_t kNow = 1'800'000'000'000'000;
  SeamReport broken;
  broken.name = "device-token";
  broken.status = "flapping";
  broken.flapping = true;
  broken.pending_operation = "TokenRotated";
  broken.pending_version = 4;
  broken.pending_sides = {"cli"};
  broken.pending_since_us = kNow - 90'000'000;
  SideReport cli;
  cli.name = "cli";
  cli.judgement.verdict = Verdict::kUnreadable;
  cli.unreadable_since_us = kNow - 400'500'000;
  SideReport gateway;
  gateway.name = "gateway";
  broken.sides = {cli, gateway};
  SeamReport fine;
  fine.name = "web";
  fine.status = "in_sync";
  fine.sides = {gateway};

  Metrics metrics;
  const std::string text = metrics.Render({{"device-token", &broken}, {"web", &fine}}, 10, kNow, {});
  EXPECT_TRUE(Contains(text, "# TYPE seam_side_unreadable_seconds gauge\n")) << text;
  EXPECT_TRUE(Contains(text, "seam_side_unreadable_seconds{seam=\"device-token\",side=\"cli\"} 400.500\n")) << text;
  EXPECT_FALSE(Contains(text, "seam_side_unreadable_seconds{seam=\"device-token\",side=\"gateway\"}"));
  EXPECT_FALSE(Contains(text, "seam_side_unreadable_seconds{seam=\"web\""));
  EXPECT_TRUE(Contains(text, "seam_flapping{seam=\"device-token\"} 1\n"));
  EXPECT_TRUE(Contains(text, "seam_flapping{seam=\"web\"} 0\n"));
  EXPECT_TRUE(Contains(text, "seam_pending_operation_seconds{seam=\"device-token\",operation=\"TokenRotated\"} 90.000\n"))
      << text;
  EXPECT_FALSE(Contains(text, "seam_pending_operation_seconds{seam=\"web\""));
}

// Agents sharing a store: the whole seam's sides with their observers and ages, the owner's
// epoch, and each agent's heartbeat age and silence; none of these on a store one host keeps.
TEST(MetricsTest, SharedStoreSeriesForSidesOwnersAndAgents) {
  Metrics metrics;
  EXPECT_FALSE(Contains(metrics.Render({}, 0, 0, {}), "seamd_agent_silent"));
  SharedGauges shared;
  shared.sides = {{"device-token", "cli", "gw1", 0.25}, {"device-token", "gateway", "gw2", 7.5}};
  shared.owners = {{"device-token", "gw2", 4, false}};
  shared.agents = {{"gw1", 0.1, false}, {"gw2", 7.25, true}};
  const std::string text = metrics.Render({}, 0, 0, {}, shared);
  EXPECT_TRUE(Contains(text, "# TYPE seam_side_observed_age_seconds gauge\n")) << text;
  EXPECT_TRUE(Contains(text, "seam_side_observed_age_seconds{seam=\"device-token\",side=\"cli\",agent=\"gw1\"} 0.250\n"));
  EXPECT_TRUE(Contains(text, "seam_side_observed_age_seconds{seam=\"device-token\",side=\"gateway\",agent=\"gw2\"} 7.500\n"));
  EXPECT_TRUE(Contains(text, "seam_owner_epoch{seam=\"device-token\",agent=\"gw2\"} 4\n"));
  EXPECT_TRUE(Contains(text, "seam_owned{seam=\"device-token\"} 0\n"));
  EXPECT_TRUE(Contains(text, "seamd_agent_seen_age_seconds{agent=\"gw2\"} 7.250\n"));
  EXPECT_TRUE(Contains(text, "seamd_agent_silent{agent=\"gw1\"} 0\n"));
  EXPECT_TRUE(Contains(text, "seamd_agent_silent{agent=\"gw2\"} 1\n"));
}

}  // namespace
}  // namespace seam::seamd
