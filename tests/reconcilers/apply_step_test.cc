// The apply step (reconcilers/apply_step.h) that operations and repairs share, on FakeSides over
// a MemEventStore: what is written, what is read back, what is recorded, and what is refused.
#include "reconcilers/apply_step.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/operation_steps.h"
#include "reconcilers/reconcile_pass.h"
#include "reconcilers/token/token_operations.h"
#include "tests/reconcilers/logic_fixture.h"

namespace seam::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using ApplyStepTest = LogicTest;

bookkeeping::SideRepaired RepairedAt(const std::vector<Event>& events, std::size_t i) {
  EXPECT_EQ(events.at(i).type, bookkeeping::kSideRepaired);
  return bookkeeping::DecodeSideRepaired(events.at(i).payload).value();
}

TEST_F(ApplyStepTest, AnOperationWritesEverySideInOrderAndConfirmsEach) {
  SeamContext ctx = Ctx();
  Result<OperationReport> issued = IssueToken(ctx, seam_);
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_TRUE(issued->AllSidesWritten());
  EXPECT_EQ(Types(), (std::vector<std::string>{"TokenIssued", "SideApplied", "SideApplied"}));
  EXPECT_FALSE(TokenOn("a").empty());
  EXPECT_EQ(TokenOn("a"), TokenOn("b"));
  EXPECT_EQ(Fake("a").writes(), 1);
}

TEST_F(ApplyStepTest, ASideAlreadyHoldingTheIntentIsConfirmedWithoutAWrite) {
  SeamContext ctx = Ctx();
  ASSERT_TRUE(IssueToken(ctx, seam_).ok());
  Result<RecordState> state = operation_steps::ReplayOnly(ctx, seam_);
  ASSERT_TRUE(state.ok());
  ApplyOutcome again = ApplyToSide(ctx, seam_, *state, Config("a"), ApplyPurpose::kOperation);
  ASSERT_TRUE(again.status.ok()) << again.status.ToString();
  EXPECT_EQ(Fake("a").writes(), 1);  // the issue's write only
  EXPECT_EQ(Types().back(), "SideApplied");
  EXPECT_EQ(again.confirmed->verdict, Verdict::kInSync);
}

TEST_F(ApplyStepTest, WritingOverAForeignValueKeepsItSealedInASideRepaired) {
  Fake("b").Hold(Token("written-by-someone-else"));
  SeamContext ctx = Ctx();
  ASSERT_TRUE(IssueToken(ctx, seam_).ok());
  const std::vector<Event> events = Events();
  ASSERT_EQ(events.size(), 3U);
  EXPECT_EQ(events[1].type, "SideApplied");
  const bookkeeping::SideRepaired b = RepairedAt(events, 2);
  EXPECT_EQ(b.side, "b");
  EXPECT_EQ(b.verdict_before, "foreign");
  EXPECT_EQ(b.action, "write");
  EXPECT_FALSE(b.sealed_before.empty());
  // Sealed: the plaintext is not in the payload, and it opens under the event's place.
  EXPECT_EQ(events[2].payload.find("written-by-someone-else"), std::string::npos);
  EXPECT_TRUE(keys_.Open(b.sealed_before, SealContext(events[2].stream, events[2].version)).ok());
}

TEST_F(ApplyStepTest, AReadBackThatDoesNotConfirmLeavesTheSidePendingAndLaterSidesWaiting) {
  Fake("a").KeepOnNextWrite(Token("not-what-was-written"));
  SeamContext ctx = Ctx();
  Result<OperationReport> issued = IssueToken(ctx, seam_);
  ASSERT_TRUE(issued.ok());
  ASSERT_EQ(issued->sides.size(), 2U);
  EXPECT_FALSE(issued->sides[0].ok);
  EXPECT_THAT(issued->sides[0].message, HasSubstr("read back after writing: foreign"));
  EXPECT_TRUE(issued->sides[1].waiting);
  EXPECT_EQ(Types(), (std::vector<std::string>{"TokenIssued"}));
  EXPECT_EQ(Fake("b").writes(), 0);
}

TEST_F(ApplyStepTest, AFailingHookLeavesAnOperationsSidePendingButARepairRecordsItsWrite) {
  Config("b").on_repair = {"reload"};
  hooks_.failures["b"] = "reload exited 1";
  SeamContext ctx = Ctx();
  Result<OperationReport> issued = IssueToken(ctx, seam_);
  ASSERT_TRUE(issued.ok());
  EXPECT_THAT(issued->sides[1].message, HasSubstr("written, but on_repair failed: reload exited 1"));
  EXPECT_EQ(Types(), (std::vector<std::string>{"TokenIssued", "SideApplied"}));

  // The hook works again: the repair pass completes b, running its hook though b holds the value.
  hooks_.failures.clear();
  Result<SeamReport> completed = RunPass(ctx, seam_, PassMode::kRepair);
  ASSERT_TRUE(completed.ok());
  EXPECT_EQ(completed->ExitCode(), 0);
  EXPECT_EQ(Types().back(), "SideApplied");
  EXPECT_EQ(hooks_.calls["b"], 2);

  // A hand edit of b, and the hook fails again: the repair writes b back and records that
  // before it reports the hook.
  hooks_.failures["b"] = "reload exited 1";
  Fake("b").Hold(Token("edited"));
  Result<SeamReport> pass = RunPass(ctx, seam_, PassMode::kRepair);
  ASSERT_TRUE(pass.ok());
  EXPECT_THAT(pass->errors, ElementsAre(HasSubstr("written and recorded, but on_repair failed: reload exited 1")));
  const std::vector<std::string> types = Types();
  EXPECT_THAT(std::vector<std::string>(types.end() - 3, types.end()),
              ElementsAre("DriftOpened", "SideRepaired", "DriftClosed"));
  EXPECT_EQ(hooks_.calls["b"], 3);
}

TEST_F(ApplyStepTest, ARepairWritesOnlyIfTheSideStillHoldsWhatThePassDecidedOn) {
  SeamContext ctx = Ctx();
  ASSERT_TRUE(IssueToken(ctx, seam_).ok());
  const std::string issued = TokenOn("a");
  Fake("a").Hold(Token("first-edit"));
  Result<RecordState> state = operation_steps::ReplayOnly(ctx, seam_);
  ASSERT_TRUE(state.ok());
  const Observation decided = Fake("a").Observe();
  const Judgement judged = JudgeSide(ctx, seam_, *state, Config("a"), decided);
  ASSERT_EQ(judged.verdict, Verdict::kForeign);
  Fake("a").Hold(Token("second-edit"));  // another writer, between the pass's look and its write

  ApplyOutcome out = ApplyToSide(ctx, seam_, *state, Config("a"), ApplyPurpose::kRepair, ApplyDecision{decided, judged});
  EXPECT_TRUE(out.changed);
  EXPECT_EQ(out.status.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(out.status.message(), HasSubstr("changed since it was observed"));
  EXPECT_EQ(TokenOn("a"), "second-edit");

  // Decided again on what it holds now: written, and the SideRepaired keeps "second-edit" sealed.
  const Observation now = Fake("a").Observe();
  const Judgement again = JudgeSide(ctx, seam_, *state, Config("a"), now);
  out = ApplyToSide(ctx, seam_, *state, Config("a"), ApplyPurpose::kRepair, ApplyDecision{now, again});
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(TokenOn("a"), issued);
  const bookkeeping::SideRepaired r = RepairedAt(Events(), Events().size() - 1);
  EXPECT_EQ(r.verdict_before, "foreign");
  Result<Secret> kept = keys_.Open(r.sealed_before, SealContext(seam_.stream(), Events().back().version));
  ASSERT_TRUE(kept.ok());
  EXPECT_THAT(std::string(kept->Reveal()), HasSubstr("second-edit"));
}

TEST_F(ApplyStepTest, ALaggingSideIsRepairedWithTheVersionItHeld) {
  SeamContext ctx = Ctx();
  ASSERT_TRUE(IssueToken(ctx, seam_).ok());
  const std::string v1 = TokenOn("b");
  ASSERT_TRUE(RotateToken(ctx, seam_).ok());
  Fake("b").Hold(Token(v1));  // a stale backup restored
  Result<SeamReport> pass = RunPass(ctx, seam_, PassMode::kRepair);
  ASSERT_TRUE(pass.ok());
  EXPECT_EQ(pass->ExitCode(), 0);
  std::vector<Event> events = Events();
  std::size_t repaired = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].type == bookkeeping::kSideRepaired) repaired = i;
  }
  const bookkeeping::SideRepaired r = RepairedAt(events, repaired);
  EXPECT_EQ(r.verdict_before, "lagging");
  EXPECT_EQ(r.held_version, 1);
  EXPECT_TRUE(r.sealed_before.empty());  // the log has that value: nothing to keep
  EXPECT_NE(TokenOn("b"), v1);
}

TEST_F(ApplyStepTest, AnObserveOnlySideWithoutAHookIsNeverWritten) {
  SeamContext ctx = Ctx();
  ASSERT_TRUE(IssueToken(ctx, seam_).ok());
  const std::size_t recorded = Types().size();
  Fake("b").SetWritable(false);
  Fake("b").Hold(Token("served-by-someone-else"));
  Result<RecordState> state = operation_steps::ReplayOnly(ctx, seam_);
  ASSERT_TRUE(state.ok());
  const Observation seen = Fake("b").Observe();
  const Judgement judged = JudgeSide(ctx, seam_, *state, Config("b"), seen);
  ASSERT_EQ(judged.verdict, Verdict::kForeign);
  ApplyOutcome out = ApplyToSide(ctx, seam_, *state, Config("b"), ApplyPurpose::kRepair, ApplyDecision{seen, judged});
  EXPECT_EQ(out.status.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(out.status.message(), HasSubstr("is observe-only; set on_repair"));
  out = ApplyToSide(ctx, seam_, *state, Config("b"), ApplyPurpose::kOperation);
  EXPECT_THAT(out.status.message(), HasSubstr("is observe-only and has no on_repair"));
  EXPECT_EQ(TokenOn("b"), "served-by-someone-else");
  EXPECT_EQ(Types().size(), recorded);
}

TEST_F(ApplyStepTest, CompletingNeverOverwritesAForeignValueOnTheAuthoritySide) {
  seam_.authority_side = "b";
  SeamContext ctx = Ctx();
  ASSERT_TRUE(IssueToken(ctx, seam_).ok());
  Fake("b").Hold(Token("the-authority-says"));
  Result<RecordState> state = operation_steps::ReplayOnly(ctx, seam_);
  ASSERT_TRUE(state.ok());
  ApplyOutcome out = ApplyToSide(ctx, seam_, *state, Config("b"), ApplyPurpose::kCompletion);
  EXPECT_THAT(out.status.message(), HasSubstr("is the seam's authority and holds a value the log never had"));
  EXPECT_EQ(TokenOn("b"), "the-authority-says");
}

TEST_F(ApplyStepTest, ADecisionIsForRepairsOnly) {
  SeamContext ctx = Ctx();
  Result<RecordState> state = operation_steps::ReplayOnly(ctx, seam_);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(ApplyToSide(ctx, seam_, *state, Config("a"), ApplyPurpose::kRepair).status.code(), StatusCode::kInternal);
}

// A server reloads asynchronously: after its hook, an observe-only side is read back until it
// serves the written value or its settle time passes, and the error then says what happened.
TEST_F(ApplyStepTest, AfterItsHookAnObserveOnlySideIsReadBackUntilItServesTheValue) {
  FakeSide& served = AddSide("served", {"reload"});
  served.SetWritable(false);
  Config("served").settle = std::chrono::milliseconds(5000);
  // The "reload" takes effect 150 ms after the hook returns, on another thread.
  std::vector<std::thread> reloads;
  hooks_.effects["served"] = [&] {
    reloads.emplace_back([this] {
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
      Fake("served").Hold(*Fake("a").held());
    });
  };
  SeamContext ctx = Ctx();
  const auto start = std::chrono::steady_clock::now();
  Result<OperationReport> issued = IssueToken(ctx, seam_);
  const auto took = std::chrono::steady_clock::now() - start;
  for (std::thread& t : reloads) t.join();
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_TRUE(issued->AllSidesWritten()) << issued->sides.back().message;
  EXPECT_TRUE(issued->sides.back().observe_only);
  EXPECT_GE(took, std::chrono::milliseconds(150));
  EXPECT_GE(served.observes(), 3);  // the read at once, and back-off reads until it served
  EXPECT_EQ(Types().back(), "SideApplied");

  // A server that never picks the new value up: lagging after the settle time, worded for it.
  hooks_.effects.clear();
  Config("served").settle = std::chrono::milliseconds(120);
  Result<OperationReport> rotated = RotateToken(ctx, seam_);
  ASSERT_TRUE(rotated.ok());
  EXPECT_FALSE(rotated->sides.back().ok);
  EXPECT_THAT(rotated->sides.back().message,
              HasSubstr("on_repair `reload` ran and exited 0, but fake served is still serving rev 1 after 1"));
  EXPECT_EQ(hooks_.calls["served"], 2);
}

// A reload that does not help (a server that serves the leaf without its intermediates, or never
// reloads) runs once per change, not every pass into `flapping`: HookIneffective is recorded, and
// later passes skip the side with the reason until it changes or `repair --force`.
TEST_F(ApplyStepTest, AHookThatDoesNotHelpRunsOncePerChange) {
  FakeSide& served = AddSide("served", {"reload"});
  served.SetWritable(false);
  Config("served").settle = std::chrono::milliseconds(60);
  hooks_.effects["served"] = [&] { served.Hold(*Fake("a").held()); };
  Issue();
  EXPECT_EQ(hooks_.calls["served"], 1);

  // The server now serves something else, and its reload brings back nothing.
  hooks_.effects.clear();
  served.Hold(Token("stale"));
  SeamReport first = Pass();
  EXPECT_EQ(hooks_.calls["served"], 2);
  EXPECT_EQ(first.sides.back().action, "skipped");
  EXPECT_THAT(Types(), ::testing::Contains("HookIneffective"));
  const std::vector<Event> events = Events();
  auto recorded = std::find_if(events.begin(), events.end(),
                               [](const Event& e) { return e.type == bookkeeping::kHookIneffective; });
  ASSERT_NE(recorded, events.end());
  const bookkeeping::HookIneffective memo = bookkeeping::DecodeHookIneffective(recorded->payload).value();
  EXPECT_EQ(memo.side, "served");
  EXPECT_EQ(memo.hook, "reload");
  EXPECT_THAT(memo.detail, HasSubstr("never had"));
  EXPECT_EQ(memo.marker.find("stale"), std::string::npos);

  for (int i = 0; i < 3; ++i) {
    SeamReport again = Pass();
    EXPECT_EQ(hooks_.calls["served"], 2) << "pass " << i;
    EXPECT_EQ(again.ExitCode(), 1);  // a drift, not trouble
    EXPECT_EQ(again.sides.back().action, "skipped");
    EXPECT_THAT(again.sides.back().action_detail,
                HasSubstr("did not help (holds a value the log never had); not run again until served changes, or "
                          "`seamctl repair --force"));
  }
  const std::vector<std::string> types = Types();
  EXPECT_EQ(std::count(types.begin(), types.end(), "HookIneffective"), 1);

  // What it serves changed: the hook runs once more.
  served.Hold(Token("stale2"));
  Pass();
  EXPECT_EQ(hooks_.calls["served"], 3);
  Pass();
  EXPECT_EQ(hooks_.calls["served"], 3);
  // --force runs it again; once it helps, the memory is gone.
  hooks_.effects["served"] = [&] { served.Hold(*Fake("a").held()); };
  PassOptions force;
  force.force = true;
  EXPECT_EQ(Pass(PassMode::kRepair, force).ExitCode(), 0);
  EXPECT_EQ(hooks_.calls["served"], 4);
  hooks_.effects.clear();
  served.Hold(Token("stale3"));
  Pass();
  EXPECT_EQ(hooks_.calls["served"], 5);  // a new change: runs again
}

// The same memory holds for an operation left pending on the side: seamd's completion does not
// reload every pass; the next operation the user asks for runs the hook regardless.
TEST_F(ApplyStepTest, APendingSideWhoseHookDidNotHelpIsNotReloadedEveryPass) {
  FakeSide& served = AddSide("served", {"reload"});
  served.SetWritable(false);
  Config("served").settle = std::chrono::milliseconds(60);
  SeamContext ctx = Ctx();
  Result<OperationReport> issued = IssueToken(ctx, seam_);
  ASSERT_TRUE(issued.ok());
  EXPECT_FALSE(issued->sides.back().ok);
  EXPECT_EQ(hooks_.calls["served"], 1);
  for (int i = 0; i < 3; ++i) {
    SeamReport pass = Pass();
    EXPECT_EQ(pass.pending_operation, "TokenIssued");
    EXPECT_THAT(pass.errors.empty() ? "" : pass.errors.front(), HasSubstr("did not help"));
    EXPECT_THAT(pass.errors.empty() ? "" : pass.errors.front(), HasSubstr("then run `seamctl repair --force s`"));
  }
  EXPECT_EQ(hooks_.calls["served"], 1);
}

TEST_F(ApplyStepTest, AFailedHookIsNotWaitedOn) {
  FakeSide& served = AddSide("served", {"reload"});
  served.SetWritable(false);
  Config("served").settle = std::chrono::milliseconds(60000);
  hooks_.failures["served"] = "reload exited 1";
  SeamContext ctx = Ctx();
  const auto start = std::chrono::steady_clock::now();
  Result<OperationReport> issued = IssueToken(ctx, seam_);
  ASSERT_TRUE(issued.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_THAT(issued->sides.back().message, HasSubstr("on_repair failed: reload exited 1"));
  EXPECT_EQ(served.observes(), 3);  // the preflight, the look before, one read back
}

TEST_F(ApplyStepTest, ASideWithoutAHookIsReadBackOnce) {
  Fake("a").KeepOnNextWrite(Token("kept"));
  SeamContext ctx = Ctx();
  Result<OperationReport> issued = IssueToken(ctx, seam_);
  ASSERT_TRUE(issued.ok());
  EXPECT_FALSE(issued->sides.front().ok);
  EXPECT_EQ(Fake("a").observes(), 3);  // the preflight, the look before, one read back
}

// An operation that waited for the seam's lock refuses to go on top of an intent recorded
// meanwhile; the bookkeeping recorded meanwhile does not count.
TEST_F(ApplyStepTest, AnIntentRecordedWhileAnOperationWaitedRefusesIt) {
  SeamContext ctx = Ctx();
  ASSERT_TRUE(IssueToken(ctx, seam_).ok());  // TokenIssued, then a SideApplied per side
  EXPECT_TRUE(operation_steps::NoIntentRecordedSince(store_, seam_, 1).ok());
  const std::int64_t seen = static_cast<std::int64_t>(Events().size());
  EXPECT_TRUE(operation_steps::NoIntentRecordedSince(store_, seam_, seen).ok());
  ASSERT_TRUE(RotateToken(ctx, seam_).ok());
  const Status refused = operation_steps::NoIntentRecordedSince(store_, seam_, seen);
  EXPECT_EQ(refused.code(), StatusCode::kConflict);
  EXPECT_THAT(refused.message(), HasSubstr("test recorded TokenRotated as version " + std::to_string(seen + 1) +
                                           " while this command waited for the seam's lock; nothing was recorded"));
}

}  // namespace
}  // namespace seam::testing
