// Removals made on purpose at a side (`may_revoke`), on FakeSides over a MemEventStore: which
// "absent" answers a repair records as the kind's revocation (and spreads to the other sides),
// and which it repairs as before: a side not trusted for removals, a missing file (no answer),
// a pending operation, a component that restarted (restored from a backup). The same against
// the demo gateway over HTTP, under seamd: tests/e2e/e2e_seamd_drift_test.cc.
#include "reconcilers/reconcile_pass.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "reconcilers/token/token_events.h"
#include "reconcilers/token/token_operations.h"
#include "tests/reconcilers/logic_fixture.h"

namespace seam::testing {
namespace {

using ::testing::ElementsAre;

class RevokePhaseTest : public LogicTest {
 protected:
  RevokePhaseTest() { Config("a").may_revoke = true; }

  std::vector<std::string> TypesSince(std::size_t before) {
    const std::vector<std::string> types = Types();
    return std::vector<std::string>(types.begin() + static_cast<std::ptrdiff_t>(before), types.end());
  }
};

TEST_F(RevokePhaseTest, AnAbsentAnswerFromATrustedSideIsRecordedAndSpreads) {
  Issue();
  Fake("a").AnswerAbsent();
  const std::size_t before = Types().size();
  const SeamReport pass = Pass();
  EXPECT_EQ(pass.ExitCode(), 0);
  EXPECT_THAT(TypesSince(before), ElementsAre("TokenRevoked", "SideApplied", "SideApplied"));
  const std::vector<Event> events = Events();
  Result<token::TokenRevoked> revoked = token::DecodeRevoked(events[before].payload);
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->reason, "removed on side a");
  EXPECT_EQ(TokenOn("b"), "");  // removed from the other side too
  EXPECT_EQ(Fake("b").removes(), 1);
  // It stays revoked: the next passes record nothing and write nothing.
  const std::size_t after = Types().size();
  EXPECT_EQ(Pass().ExitCode(), 0);
  EXPECT_EQ(Pass().ExitCode(), 0);
  EXPECT_EQ(Types().size(), after);
  EXPECT_EQ(Fake("a").writes(), 1);
}

TEST_F(RevokePhaseTest, CheckAndDryRunRecordNothing) {
  Issue();
  Fake("a").AnswerAbsent();
  const std::size_t before = Types().size();
  EXPECT_EQ(Pass(PassMode::kCheck).ExitCode(), 1);  // a side missing its value: drift
  const SeamReport dry = Pass(PassMode::kDryRun);
  EXPECT_EQ(Types().size(), before);
  ASSERT_EQ(dry.sides.size(), 2U);
  EXPECT_EQ(dry.sides[0].action, "would revoke");
}

// Every other "absent" is repaired as before: the value is written back.
TEST_F(RevokePhaseTest, WhatIsNotADeliberateRemovalIsRepaired) {
  // A side not trusted for removals.
  Issue();
  Fake("b").AnswerAbsent();
  Pass();
  EXPECT_NE(TokenOn("b"), "");
  // A missing file: no answer about intent.
  Fake("a").HoldNothing();
  Pass();
  EXPECT_NE(TokenOn("a"), "");
  // A component in another run than the one the log saw (restored from a backup).
  Fake("a").SetRestartMarker("run-1");
  Pass();  // records the marker it reports
  Fake("a").SetRestartMarker("run-2");
  Fake("a").AnswerAbsent();
  Pass();
  EXPECT_NE(TokenOn("a"), "");
  for (const std::string& type : Types()) EXPECT_NE(type, "TokenRevoked");
}

TEST_F(RevokePhaseTest, NothingIsRevokedWhileAnOperationIsPending) {
  Issue();
  // A rotation that reached a but not b (b's write fails): pending on b.
  Fake("b").FailNextWrite(Status::IoError("disk full"));
  SeamContext ctx = Ctx();
  ASSERT_TRUE(RotateToken(ctx, seam_).ok());
  Fake("a").AnswerAbsent();
  Pass();
  for (const std::string& type : Types()) EXPECT_NE(type, "TokenRevoked");
  EXPECT_NE(TokenOn("a"), "");  // completed and repaired instead
}

}  // namespace
}  // namespace seam::testing
