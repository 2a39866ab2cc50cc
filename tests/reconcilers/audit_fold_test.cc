// The audit fold (reconcilers/audit_fold.h) on FakeSides over a MemEventStore and a FakeClock:
// the facts `seamctl audit` and `seamctl drift` render, taken from the log the real operations
// and repair passes write. The rendering, on real files and processes, is proven by the e2e
// audit suite.
#include "reconcilers/audit_fold.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "reconcilers/reconcile_pass.h"
#include "reconcilers/token/token_operations.h"
#include "tests/reconcilers/logic_fixture.h"

namespace seam::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::int64_t kMinute = 60'000'000;

class AuditFoldTest : public LogicTest {
 protected:
  AuditTimeline Fold(AuditWindow window = {}) {
    Result<AuditTimeline> t = FoldAudit(store_, keys_, seam_, window);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? std::move(t).value() : AuditTimeline{};
  }
  std::vector<std::string> Categories(const AuditTimeline& t) {
    std::vector<std::string> out;
    for (const AuditEntry& e : t.entries) out.push_back(e.category);
    return out;
  }
};

TEST_F(AuditFoldTest, AStaleRestoreIsALaggingDriftThatLostTheRotationAndEndsRepaired) {
  SeamContext ctx = Ctx();
  ASSERT_TRUE(IssueToken(ctx, seam_).ok());
  const std::string v1 = TokenOn("b");
  clock_.Advance(kMinute);
  ASSERT_TRUE(RotateToken(ctx, seam_).ok());
  const std::int64_t rotated_at = clock_.NowMicros();
  clock_.Advance(kMinute);
  Fake("b").Hold(Token(v1));  // a stale backup restored
  Pass();

  const AuditTimeline t = Fold();
  EXPECT_EQ(t.intended_state, "active");
  ASSERT_EQ(t.operations.size(), 2U);
  const AuditOperation& rotation = t.operations[1];
  EXPECT_EQ(rotation.event, "TokenRotated");
  EXPECT_EQ(rotation.category, "operation");
  ASSERT_EQ(rotation.reached.size(), 2U);
  EXPECT_EQ(rotation.reached[1].side, "b");
  EXPECT_EQ(rotation.reached[1].at_us, rotated_at);  // its first confirmation, not the repair's
  EXPECT_FALSE(rotation.reached[1].by_repair);
  EXPECT_TRUE(rotation.missed.empty());
  EXPECT_EQ(t.intended_version, rotation.version);
  EXPECT_EQ(t.intended_fingerprint, rotation.fingerprint);

  ASSERT_EQ(t.drifts.size(), 1U);
  const AuditDrift& d = t.drifts[0];
  EXPECT_EQ(d.side, "b");
  EXPECT_EQ(d.verdict, "lagging");
  EXPECT_EQ(d.holds_version, t.operations[0].version);
  EXPECT_FALSE(d.missed_operation);  // b had confirmed the rotation ...
  ASSERT_TRUE(d.lost_operation);     // ... and lost it
  EXPECT_EQ(d.lost_operation->version, rotation.version);
  EXPECT_EQ(d.lost_operation->confirmed_at_us, rotated_at);
  EXPECT_THAT(d.lost_operation->reached_before, ElementsAre("a", "b"));
  EXPECT_EQ(d.last_in_sync_at_us, rotated_at);
  ASSERT_TRUE(d.closed);
  EXPECT_EQ(d.closed->how, "repaired");
  ASSERT_TRUE(d.closed->by.has_value());
  EXPECT_EQ(*d.closed->by, "test");

  const CurrentDriftChoice current = ChooseCurrentDrift(t);
  EXPECT_EQ(current.drift, &t.drifts[0]);
  EXPECT_FALSE(current.open);
  EXPECT_EQ(t.errors, 0);
  EXPECT_THAT(Categories(t), ElementsAre("operation", "confirmation", "confirmation", "operation", "confirmation",
                                         "confirmation", "drift_opened", "repair", "drift_closed"));
}

TEST_F(AuditFoldTest, AForeignValueSeenAgainNamesWhereAndHowOftenItWasSeenBefore) {
  SeamContext ctx = Ctx();
  ASSERT_TRUE(IssueToken(ctx, seam_).ok());
  clock_.Advance(kMinute);
  Fake("b").Hold(Token("edited"));
  Pass();  // drift opened (a sighting), repaired over it (another), closed
  clock_.Advance(kMinute);
  Fake("b").Hold(Token("edited"));
  Pass();

  const AuditTimeline t = Fold();
  ASSERT_EQ(t.drifts.size(), 2U);
  EXPECT_FALSE(t.drifts[0].seen_before);
  ASSERT_TRUE(t.drifts[1].seen_before);
  EXPECT_EQ(t.drifts[1].seen_before->version, t.drifts[0].opened_version);
  EXPECT_EQ(t.drifts[1].seen_before->event, "DriftOpened");
  EXPECT_EQ(t.drifts[1].seen_before->times, 2);
  EXPECT_EQ(t.drifts[1].fingerprint, t.drifts[0].fingerprint);
  // The issue reached b by the operation; nothing reached it by repair.
  EXPECT_TRUE(t.operations[0].reached[1].at_us < t.drifts[0].opened_at_us);
}

TEST_F(AuditFoldTest, AnOpenDriftIsTheCurrentOneAndNamesTheOperationTheSideMissed) {
  SeamContext ctx = Ctx();
  ASSERT_TRUE(IssueToken(ctx, seam_).ok());
  const std::string v1 = TokenOn("b");
  // b is left out of the config for two rotations; back in, a pass completes the second on it.
  const std::vector<SideConfig> sides = seam_.sides;
  seam_.sides.pop_back();
  clock_.Advance(kMinute);
  ASSERT_TRUE(RotateToken(ctx, seam_).ok());
  ASSERT_TRUE(RotateToken(ctx, seam_).ok());
  seam_.sides = sides;
  Pass();
  clock_.Advance(kMinute);
  Fake("b").Hold(Token(v1));
  seam_.repair = RepairPolicy::kOff;
  Pass();  // repair off: the drift is recorded and stays open

  const AuditTimeline t = Fold();
  ASSERT_EQ(t.operations.size(), 3U);
  EXPECT_THAT(t.operations[1].missed, ElementsAre("b"));
  ASSERT_EQ(t.drifts.size(), 1U);
  const AuditDrift& d = t.drifts[0];
  EXPECT_FALSE(d.closed);
  ASSERT_TRUE(d.missed_operation);
  EXPECT_EQ(d.missed_operation->version, t.operations[1].version);
  EXPECT_THAT(d.missed_operation->reached_before, ElementsAre("a"));
  EXPECT_EQ(d.missed_operation->confirmed_at_us, 0);
  ASSERT_TRUE(d.lost_operation);
  EXPECT_EQ(d.lost_operation->version, t.operations[2].version);
  const CurrentDriftChoice current = ChooseCurrentDrift(t);
  EXPECT_TRUE(current.open);
  EXPECT_EQ(current.drift, &d);
  EXPECT_EQ(current.operation, &t.operations[1]);
}

TEST_F(AuditFoldTest, TheWindowListsOnlyItsEventsButADriftOverlappingItWhole) {
  SeamContext ctx = Ctx();
  ASSERT_TRUE(IssueToken(ctx, seam_).ok());
  clock_.Advance(kMinute);
  Fake("b").Hold(Token("edited"));
  seam_.repair = RepairPolicy::kOff;
  Pass();  // opened, left open
  const std::int64_t opened_at = clock_.NowMicros();
  clock_.Advance(10 * kMinute);
  seam_.repair = RepairPolicy::kAuto;
  Pass();  // repaired and closed ten minutes later
  clock_.Advance(10 * kMinute);
  ASSERT_TRUE(RotateToken(ctx, seam_).ok());

  const AuditTimeline t = Fold(AuditWindow{opened_at + kMinute, clock_.NowMicros() - kMinute});
  EXPECT_THAT(Categories(t), ElementsAre("repair", "drift_closed"));
  ASSERT_EQ(t.drifts.size(), 1U);  // opened before the window, closed inside it
  EXPECT_EQ(t.drifts[0].opened_at_us, opened_at);
  ASSERT_EQ(t.operations.size(), 1U);  // the rotation is after the window: not even read
  EXPECT_FALSE(t.operations[0].listed);
  EXPECT_EQ(t.first_event_us, 1'800'000'000'000'000);
}

TEST_F(AuditFoldTest, AnEventThatDoesNotDecodeIsListedWithItsErrorAndCounted) {
  SeamContext ctx = Ctx();
  ASSERT_TRUE(IssueToken(ctx, seam_).ok());
  Result<std::int64_t> version = store_.StreamVersion(seam_.stream());
  ASSERT_TRUE(version.ok());
  ASSERT_TRUE(store_.Append(seam_.stream(), *version, {EventDraft{"TokenRotated", "intruder", clock_.NowMicros(), "\x01garbage"}}).ok());

  const AuditTimeline t = Fold();
  EXPECT_EQ(t.errors, 1);
  ASSERT_FALSE(t.entries.empty());
  EXPECT_THAT(t.entries.back().error, HasSubstr("does not decode"));
  EXPECT_EQ(t.entries.back().event.actor, "intruder");
  EXPECT_EQ(t.operations.size(), 1U);  // not an operation: what it meant is unknown
}

TEST_F(AuditFoldTest, AKindThisBuildDoesNotKnowIsRefused) {
  seam_.kind = "tokn";
  Result<AuditTimeline> t = FoldAudit(store_, keys_, seam_, AuditWindow{});
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("unknown kind `tokn`"));
}

}  // namespace
}  // namespace seam::testing
