// The reconcile pass and token operations over a real SQLite log and real JSON files.
#include "reconcilers/reconcile_pass.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "reconcilers/drift_events.h"
#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/token/token_events.h"
#include "reconcilers/operations.h"
#include "reconcilers/token/token_operations.h"
#include "tests/reconcilers/seam_fixture.h"

namespace seam {
namespace {

using testing::ReadFile;
using testing::SeamFixture;

const SideReport& SideNamed(const SeamReport& r, const std::string& name) {
  for (const SideReport& s : r.sides) {
    if (s.name == name) return s;
  }
  ADD_FAILURE() << "no side " << name;
  return r.sides.front();
}

std::int64_t MtimeNs(const std::filesystem::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec;
}

TEST(TokenOperations, IssueWritesEverySideThroughItsTransform) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  auto issued = IssueToken(ctx, f.seam());
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_TRUE(issued->AllSidesWritten());
  EXPECT_EQ(issued->version, 1);
  const std::string token = f.CliToken();
  ASSERT_EQ(token.size(), 43u);
  EXPECT_NE(ReadFile(f.gateway_path()).find(Sha256Hex(token)), std::string::npos);
  EXPECT_EQ(ReadFile(f.gateway_path()).find(token), std::string::npos);
  EXPECT_EQ(issued->fingerprint, f.keys->Fingerprint(token));
}

TEST(TokenOperations, IssueTwiceIsRefusedAndWritesNothing) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  const std::string before = ReadFile(f.cli_path());
  auto again = IssueToken(ctx, f.seam());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadFile(f.cli_path()), before);
  // Only the issue's events: TokenIssued and a SideApplied per side.
  EXPECT_EQ(f.store->StreamVersion("token/device-42").value(), 3);
}

TEST(ReconcilePass, CheckFindsLaggingSideAndWritesNothing) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  const std::string old_gateway = ReadFile(f.gateway_path());
  ASSERT_TRUE(RotateToken(ctx, f.seam()).ok());
  testing::WriteFile(f.gateway_path(), old_gateway);  // a stale restore
  const std::string cli_before = ReadFile(f.cli_path());

  auto report = RunPass(ctx, f.seam(), PassMode::kCheck);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->status, "drift");
  EXPECT_EQ(report->ExitCode(), 1);
  EXPECT_EQ(SideNamed(*report, "gateway").judgement.verdict, Verdict::kLagging);
  EXPECT_EQ(SideNamed(*report, "gateway").judgement.holds_version, 1);
  EXPECT_EQ(SideNamed(*report, "cli").judgement.verdict, Verdict::kInSync);
  EXPECT_EQ(ReadFile(f.gateway_path()), old_gateway);
  EXPECT_EQ(ReadFile(f.cli_path()), cli_before);
  // issue and rotate, each an intent and a SideApplied per side; the check added nothing.
  EXPECT_EQ(f.store->StreamVersion("token/device-42").value(), 6);
}

TEST(ReconcilePass, RepairBringsLaggingSideUpAndRecordsIt) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  const std::string old_gateway = ReadFile(f.gateway_path());
  ASSERT_TRUE(RotateToken(ctx, f.seam()).ok());
  testing::WriteFile(f.gateway_path(), old_gateway);

  auto report = RunPass(ctx, f.seam(), PassMode::kRepair);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->status, "in_sync");
  EXPECT_EQ(report->ExitCode(), 0);
  EXPECT_EQ(SideNamed(*report, "gateway").action, "repaired");
  EXPECT_EQ(report->events_appended, 3);
  EXPECT_NE(ReadFile(f.gateway_path()).find(Sha256Hex(f.CliToken())), std::string::npos);

  // v1 TokenIssued, v2-3 SideApplied, v4 TokenRotated, v5-6 SideApplied, v7 the drift found,
  // v8 the repair, v9 the drift closed.
  auto events = f.store->ReadStream("token/device-42").value();
  ASSERT_EQ(events.size(), 9u);
  EXPECT_EQ(events[3].type, token::kTokenRotated);
  EXPECT_EQ(events[6].type, drift::kDriftOpened);
  EXPECT_EQ(events[7].type, bookkeeping::kSideRepaired);
  EXPECT_EQ(events[8].type, drift::kDriftClosed);
  EXPECT_EQ(events[6].actor, "test-actor");
  auto repaired = bookkeeping::DecodeSideRepaired(events[7].payload).value();
  EXPECT_EQ(repaired.side, "gateway");
  EXPECT_EQ(repaired.version_written, 4);
  EXPECT_EQ(repaired.verdict_before, "lagging");
  EXPECT_EQ(repaired.held_version, 1);

  // A second repair changes nothing: no event, no write.
  const auto mtime = MtimeNs(f.gateway_path());
  auto again = RunPass(ctx, f.seam(), PassMode::kRepair);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->events_appended, 0);
  EXPECT_EQ(MtimeNs(f.gateway_path()), mtime);
}

TEST(ReconcilePass, ForeignValueIsOverwrittenWhenTheLogIsAuthority) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  const std::string token = f.CliToken();
  f.SetCliToken("hand-edited");
  auto check = RunPass(ctx, f.seam(), PassMode::kCheck).value();
  EXPECT_EQ(SideNamed(check, "cli").judgement.verdict, Verdict::kForeign);
  auto repair = RunPass(ctx, f.seam(), PassMode::kRepair).value();
  EXPECT_EQ(repair.status, "in_sync");
  EXPECT_EQ(f.CliToken(), token);
}

TEST(ReconcilePass, DryRunSaysWhatItWouldDoAndWritesNothing) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  f.SetCliToken("hand-edited");
  const std::string before = ReadFile(f.cli_path());
  auto report = RunPass(ctx, f.seam(), PassMode::kDryRun).value();
  EXPECT_EQ(SideNamed(report, "cli").action, "would repair");
  EXPECT_EQ(report.ExitCode(), 1);
  EXPECT_EQ(ReadFile(f.cli_path()), before);
  // Only the issue's events: TokenIssued and a SideApplied per side.
  EXPECT_EQ(f.store->StreamVersion("token/device-42").value(), 3);
}

TEST(ReconcilePass, RepairOffReportsButNeverWrites) {
  SeamFixture f("repair = \"off\"");
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  f.SetCliToken("hand-edited");
  auto report = RunPass(ctx, f.seam(), PassMode::kRepair).value();
  EXPECT_EQ(SideNamed(report, "cli").action, "skipped");
  EXPECT_EQ(f.CliToken(), "hand-edited");
  EXPECT_EQ(report.ExitCode(), 1);
}

TEST(ReconcilePass, AuthoritySideForeignValueIsAdoptedThenOthersFollow) {
  SeamFixture f("authority = \"cli\"");
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  f.SetCliToken("value-set-by-the-cli");
  auto report = RunPass(ctx, f.seam(), PassMode::kRepair).value();
  EXPECT_EQ(report.status, "in_sync");
  EXPECT_EQ(SideNamed(report, "cli").action, "adopted");
  // The adoption is a new intent: the gateway is written as its completion.
  EXPECT_EQ(SideNamed(report, "gateway").action, "completed");
  EXPECT_EQ(f.CliToken(), "value-set-by-the-cli");
  EXPECT_NE(ReadFile(f.gateway_path()).find(Sha256Hex("value-set-by-the-cli")), std::string::npos);
  // v1-3 the issue; v4 the adoption, v5 its SideApplied on cli, v6 the gateway's.
  auto events = f.store->ReadStream("token/device-42").value();
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[3].type, token::kTokenAdopted);
  EXPECT_EQ(token::DecodeAdopted(events[3].payload).value().side, "cli");
  EXPECT_EQ(events[4].type, bookkeeping::kSideApplied);
  EXPECT_EQ(bookkeeping::DecodeSideApplied(events[4].payload).value().side, "cli");
  EXPECT_EQ(bookkeeping::DecodeSideApplied(events[4].payload).value().version, 4);
  EXPECT_EQ(events[5].type, bookkeeping::kSideApplied);
  EXPECT_EQ(bookkeeping::DecodeSideApplied(events[5].payload).value().side, "gateway");
  EXPECT_EQ(bookkeeping::DecodeSideApplied(events[5].payload).value().version, 4);
  EXPECT_TRUE(report.pending_sides.empty()) << "one repair converges";
}

TEST(ReconcilePass, UnreadableSideIsTroubleNeverInSync) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  testing::WriteFile(f.cli_path(), "{ not json");
  auto report = RunPass(ctx, f.seam(), PassMode::kRepair).value();
  EXPECT_EQ(SideNamed(report, "cli").judgement.verdict, Verdict::kUnreadable);
  EXPECT_EQ(report.status, "unknown");
  EXPECT_EQ(report.ExitCode(), 2);
  EXPECT_EQ(ReadFile(f.cli_path()), "{ not json");
}

TEST(ReconcilePass, RevokeRemovesTheValueFromEverySide) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  auto revoked = RevokeToken(ctx, f.seam(), "test");
  ASSERT_TRUE(revoked.ok());
  EXPECT_TRUE(revoked->AllSidesWritten());
  EXPECT_EQ(f.CliToken(), "");
  auto report = RunPass(ctx, f.seam(), PassMode::kCheck).value();
  EXPECT_EQ(report.status, "in_sync");
  EXPECT_EQ(report.intended_state, "revoked");
}

TEST(ReconcilePass, ReplayAfterReopenGivesTheSameIntendedState) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  ASSERT_TRUE(RotateToken(ctx, f.seam()).ok());
  auto before = RunPass(ctx, f.seam(), PassMode::kCheck).value();
  f.Reopen();
  SeamContext reopened = f.Context();
  auto after = RunPass(reopened, f.seam(), PassMode::kCheck).value();
  EXPECT_EQ(after.intended_version, before.intended_version);
  EXPECT_EQ(after.intended_fingerprint, before.intended_fingerprint);
  EXPECT_EQ(after.status, "in_sync");
}

TEST(TokenOperations, RotateWithAnUnreadableSideRecordsAndWritesNothing) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  testing::WriteFile(f.cli_path(), "{ \"token\": ");
  const std::string gateway_before = ReadFile(f.gateway_path());
  auto rotated = RotateToken(ctx, f.seam());
  ASSERT_FALSE(rotated.ok());
  EXPECT_EQ(rotated.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(rotated.status().message().find("side cli is unreadable"), std::string::npos);
  EXPECT_EQ(ReadFile(f.gateway_path()), gateway_before);
  EXPECT_EQ(ReadFile(f.cli_path()), "{ \"token\": ");
  EXPECT_EQ(f.store->StreamVersion("token/device-42").value(), 3);  // the issue's events only
}

TEST(TokenOperations, AdoptTakesTheSideValueIntoTheLog) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  f.SetCliToken("from-the-field");
  auto adopted = AdoptValue(ctx, f.seam(), "cli");
  ASSERT_TRUE(adopted.ok()) << adopted.status().ToString();
  EXPECT_TRUE(adopted->AllSidesWritten());
  EXPECT_NE(ReadFile(f.gateway_path()).find(Sha256Hex("from-the-field")), std::string::npos);
  auto refused = AdoptValue(ctx, f.seam(), "gateway");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("sha256-hex"), std::string::npos);
}

}  // namespace
}  // namespace seam
