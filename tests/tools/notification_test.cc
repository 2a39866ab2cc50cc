// Notifications and Alertmanager alerts derived from drift records (tools/common/notification.h,
// tools/common/drift_alerts.h), from events encoded as the reconcilers encode them.
#include <gtest/gtest.h>

#include "core/clock.h"
#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/drift_events.h"
#include "tools/common/drift_alerts.h"
#include "tools/common/notification.h"

namespace seam {
namespace {

constexpr std::int64_t kT = 1'800'000'000'000'000;

Event Made(std::int64_t seq, std::int64_t version, const std::string& type, std::string payload) {
  Event e;
  e.seq = seq;
  e.stream = "token/device-42";
  e.version = version;
  e.type = type;
  e.time_us = kT + seq;
  e.actor = "seamd:root@h";
  e.payload = std::move(payload);
  return e;
}

Event Opened(std::int64_t seq, std::int64_t version, const std::string& verdict) {
  drift::DriftOpened p;
  p.seam = "device-token";
  p.side = "cli";
  p.verdict = verdict;
  p.fingerprint = "fp:0123456789ab";
  p.detail = "holds a value the log never had";
  p.first_seen_at_us = kT - 5'000'000;
  return Made(seq, version, drift::kDriftOpened, drift::Encode(p));
}

Event Closed(std::int64_t seq, std::int64_t version, std::int64_t opened, const std::string& how) {
  return Made(seq, version, drift::kDriftClosed, drift::Encode(drift::DriftClosed{"cli", how, opened, "", kT + 9'000'000}));
}

TEST(Notification, KindsOfTheEventsAPersonHearsAbout) {
  EXPECT_EQ(NotificationKind(Opened(1, 1, "foreign")), "drift_opened");
  EXPECT_EQ(NotificationKind(Closed(2, 2, 1, "repaired")), "drift_closed");
  EXPECT_EQ(NotificationKind(Closed(2, 2, 1, "superseded")), "") << "a drift_opened follows at once";
  EXPECT_EQ(NotificationKind(Made(3, 3, drift::kSideUnreadable, drift::Encode(drift::SideUnreadable{"s", "cli", "r", kT}))),
            "unreadable");
  EXPECT_EQ(NotificationKind(Made(4, 4, bookkeeping::kSeamFlapping, "")), "flapping");
  EXPECT_EQ(NotificationKind(Made(5, 5, bookkeeping::kSideApplied, "")), "");
  EXPECT_EQ(NotificationKind(Made(6, 6, drift::kOperationPending, "")), "pending");
  EXPECT_EQ(NotificationKind(Made(7, 7, drift::kPendingEnded, "")), "pending");
  EXPECT_EQ(NotificationKind(Made(8, 8, drift::kSeamExpiring, "")), "expiring");
  EXPECT_EQ(NotificationKind(Made(9, 9, drift::kExpiringEnded, "")), "expiring");
}

TEST(Notification, TheJsonCarriesSeqSeamSideAndFingerprintNeverAValue) {
  const Secret master(std::string(32, 'k'));
  const KeyRing keys(master);
  const std::optional<nlohmann::ordered_json> n = NotificationFor(Opened(7, 3, "foreign"), "device-token", keys);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ((*n)["seq"], 7);
  EXPECT_EQ((*n)["kind"], "drift_opened");
  EXPECT_EQ((*n)["event"], "DriftOpened");
  EXPECT_EQ((*n)["seam"], "device-token");
  EXPECT_EQ((*n)["stream"], "token/device-42");
  EXPECT_EQ((*n)["side"], "cli");
  EXPECT_EQ((*n)["details"]["verdict"], "foreign");
  EXPECT_EQ((*n)["details"]["fingerprint"], "fp:0123456789ab");
  EXPECT_FALSE(NotificationFor(Made(5, 5, bookkeeping::kSideApplied, ""), "device-token", keys).has_value());
  // RFC 2104 test vector 2 (HMAC-SHA256, key "Jefe").
  EXPECT_EQ(SignatureOf("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(DriftAlerts, OneAlertPerOpenDriftResolvedWhenItClosesEvenWhenSuperseded) {
  DriftAlerts alerts;
  nlohmann::ordered_json posted = alerts.Apply(Opened(1, 4, "lagging"), "device-token", "token");
  ASSERT_EQ(posted.size(), 1u);
  EXPECT_EQ(posted[0]["labels"],
            (nlohmann::ordered_json{{"alertname", "SeamDrift"}, {"seam", "device-token"}, {"side", "cli"},
                                    {"verdict", "lagging"}, {"kind", "token"}}));
  EXPECT_EQ(posted[0]["startsAt"], FormatTimeMicros(kT - 5'000'000));
  EXPECT_FALSE(posted[0].contains("endsAt"));
  EXPECT_EQ(alerts.size(), 1u);
  // Superseded by another verdict: the old alert resolves, the new one opens.
  posted = alerts.Apply(Closed(2, 5, 4, "superseded"), "device-token", "token");
  ASSERT_EQ(posted.size(), 1u);
  EXPECT_EQ(posted[0]["labels"]["verdict"], "lagging");
  EXPECT_EQ(posted[0]["endsAt"], FormatTimeMicros(kT + 9'000'000));
  (void)alerts.Apply(Opened(3, 6, "foreign"), "device-token", "token");
  EXPECT_EQ(alerts.Open().size(), 1u);
  EXPECT_EQ(alerts.Open()[0]["labels"]["verdict"], "foreign");
  EXPECT_EQ(alerts.Apply(Made(4, 7, bookkeeping::kSideApplied, ""), "device-token", "token").size(), 0u);
  EXPECT_EQ(alerts.Apply(Closed(5, 8, 99, "repaired"), "device-token", "token").size(), 0u) << "no such drift";
  posted = alerts.Apply(Closed(6, 9, 6, "repaired"), "device-token", "token");
  ASSERT_EQ(posted.size(), 1u);
  EXPECT_EQ(posted[0]["annotations"]["closed"], "repaired");
  EXPECT_EQ(alerts.size(), 0u);
}

}  // namespace
}  // namespace seam
