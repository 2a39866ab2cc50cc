// The logic on either side of `seamctl wrap SEAM -- CMD` (reconcilers/wrap.h) on FakeSides over
// a MemEventStore: ObserveBeforeWrap refusing when a side cannot be read, and FinishWrap
// deciding from the before and after observations what the command did (nothing, a new value
// to adopt, values the log already holds, a conflict, an unreadable side) and what it records.
// "The command" is the test changing the FakeSides between the two calls. Running a real
// command against real files is proven by the e2e wrap suite.
#include "reconcilers/wrap.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/kinds.h"
#include "reconcilers/token/token_events.h"
#include "reconcilers/token/token_operations.h"
#include "tests/reconcilers/logic_fixture.h"

namespace seam::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class WrapTest : public LogicTest {
 protected:
  WrapBefore Before() {
    SeamContext ctx = Ctx();
    Result<WrapBefore> before = ObserveBeforeWrap(ctx, seam_);
    EXPECT_TRUE(before.ok()) << before.status().ToString();
    return before.ok() ? std::move(before).value() : WrapBefore{RecordState(*FindKindSpec("token")), {}};
  }
  WrapReport Finish(WrapBefore before, const std::string& command_line = "tool rotate") {
    SeamContext ctx = Ctx();
    return FinishWrap(ctx, seam_, std::move(before), command_line);
  }
};

TEST_F(WrapTest, AnUnreadableSideRefusesBeforeTheCommandRuns) {
  Issue();
  const std::size_t recorded = Types().size();
  Fake("b").FailNextObserve("connection refused");
  SeamContext ctx = Ctx();
  Result<WrapBefore> before = ObserveBeforeWrap(ctx, seam_);
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(before.status().message(), HasSubstr("seam s: side b is unreadable (fake b: connection refused)"));
  EXPECT_THAT(before.status().message(), HasSubstr("the command was not run"));
  EXPECT_EQ(Types().size(), recorded);
}

TEST_F(WrapTest, ASideTheCommandChangedToANewValueIsAdoptedAndWrittenToTheOtherSide) {
  Issue();
  WrapBefore before = Before();
  ASSERT_EQ(before.sides.size(), 2U);
  Fake("a").Hold(Token("rotated-by-the-tool"));  // the command

  const WrapReport report = Finish(std::move(before), "tool rotate --now");
  EXPECT_EQ(report.decision.outcome, WrapOutcome::kAdopt);
  EXPECT_EQ(report.decision.source, 0U);
  ASSERT_EQ(report.decision.sides.size(), 2U);
  EXPECT_TRUE(report.decision.sides[0].changed);
  EXPECT_TRUE(report.decision.sides[0].new_value);
  EXPECT_EQ(report.decision.sides[0].after.verdict, Verdict::kForeign);
  EXPECT_FALSE(report.decision.sides[1].changed);
  EXPECT_EQ(report.adopted_type, "TokenAdopted");
  ASSERT_TRUE(report.adoption.has_value());
  EXPECT_TRUE(report.adoption->AllSidesWritten());
  EXPECT_EQ(report.code, 0);
  EXPECT_TRUE(report.errors.empty());
  ASSERT_TRUE(report.pass.has_value());
  EXPECT_EQ(report.pass->status, "in_sync");
  EXPECT_EQ(report.pass->events_appended, 0);  // the adoption reached both sides already

  EXPECT_EQ(TokenOn("a"), "rotated-by-the-tool");
  EXPECT_EQ(TokenOn("b"), "rotated-by-the-tool");
  EXPECT_EQ(Fake("a").writes(), 1);  // the issue's write: a already held the adopted value
  EXPECT_EQ(Fake("b").writes(), 2);
  const std::vector<Event> events = Events();
  ASSERT_EQ(events.size(), 6U);
  EXPECT_EQ(Types(), (std::vector<std::string>{"TokenIssued", "SideApplied", "SideApplied", "TokenAdopted",
                                               "SideApplied", "SideApplied"}));
  Result<token::TokenAdopted> adopted = token::DecodeAdopted(events[3].payload);
  ASSERT_TRUE(adopted.ok());
  EXPECT_EQ(adopted->side, "a");
  EXPECT_EQ(adopted->reason, "wrap: tool rotate --now");
  EXPECT_EQ(events[3].payload.find("rotated-by-the-tool"), std::string::npos);  // sealed
  Result<Secret> value = keys_.Open(adopted->sealed_value, SealContext(seam_.stream(), events[3].version));
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_EQ(value->Reveal(), "rotated-by-the-tool");
  for (std::size_t i : {4U, 5U}) {
    const bookkeeping::SideApplied applied = bookkeeping::DecodeSideApplied(events[i].payload).value();
    EXPECT_EQ(applied.version, events[3].version);
  }
}

TEST_F(WrapTest, ACommandThatChangedNothingRecordsNothing) {
  const std::string issued = Issue();
  const std::size_t recorded = Types().size();
  WrapBefore before = Before();

  const WrapReport report = Finish(std::move(before));
  EXPECT_EQ(report.decision.outcome, WrapOutcome::kNothingChanged);
  EXPECT_FALSE(report.adoption.has_value());
  EXPECT_EQ(report.adopted_type, "");
  ASSERT_TRUE(report.pass.has_value());  // the ordinary pass still runs: nothing to do
  EXPECT_EQ(report.pass->status, "in_sync");
  EXPECT_EQ(report.code, 0);
  EXPECT_EQ(Types().size(), recorded);
  EXPECT_EQ(TokenOn("a"), issued);
  EXPECT_EQ(TokenOn("b"), issued);
  EXPECT_EQ(Fake("a").writes() + Fake("b").writes(), 2);  // the issue's
}

TEST_F(WrapTest, ASideRewrittenWithTheSameValueIsNoChange) {
  const std::string issued = Issue();
  const std::size_t recorded = Types().size();
  WrapBefore before = Before();
  const ChangeMarker marker_before = before.sides[0].marker;
  Fake("a").Hold(Token(issued));  // the command rewrote the file with what it held
  ASSERT_FALSE(Fake("a").Observe().marker == marker_before);

  const WrapReport report = Finish(std::move(before));
  EXPECT_EQ(report.decision.outcome, WrapOutcome::kNothingChanged);
  ASSERT_EQ(report.decision.sides.size(), 2U);
  EXPECT_FALSE(report.decision.sides[0].changed);
  EXPECT_FALSE(report.decision.sides[0].new_value);
  EXPECT_EQ(report.decision.sides[0].after.verdict, Verdict::kInSync);
  EXPECT_EQ(report.code, 0);
  EXPECT_EQ(Types().size(), recorded);
}

TEST_F(WrapTest, TwoSidesChangedToDifferentNewValuesAdoptNothingAndAreLeftAsTheCommandMadeThem) {
  Issue();
  const std::size_t recorded = Types().size();
  WrapBefore before = Before();
  Fake("a").Hold(Token("value-one"));
  Fake("b").Hold(Token("value-two"));

  const WrapReport report = Finish(std::move(before));
  EXPECT_EQ(report.decision.outcome, WrapOutcome::kConflict);
  EXPECT_TRUE(report.decision.sides[0].new_value);
  EXPECT_TRUE(report.decision.sides[1].new_value);
  EXPECT_THAT(report.decision.detail, HasSubstr("sides a ("));
  EXPECT_THAT(report.decision.detail, HasSubstr(") and b ("));
  EXPECT_THAT(report.decision.detail, HasSubstr("changed to different new values; nothing adopted"));
  EXPECT_THAT(report.decision.detail, Not(HasSubstr("value-one")));  // fingerprints, never values
  EXPECT_THAT(report.decision.detail, Not(HasSubstr("value-two")));
  EXPECT_EQ(report.code, 1);
  EXPECT_FALSE(report.adoption.has_value());
  EXPECT_FALSE(report.pass.has_value());  // no repair pass: it would undo the command
  EXPECT_EQ(Types().size(), recorded);
  EXPECT_EQ(TokenOn("a"), "value-one");
  EXPECT_EQ(TokenOn("b"), "value-two");
}

TEST_F(WrapTest, TwoSidesChangedToTheSameNewValueAreAdoptedFromTheAuthoritySide) {
  seam_.authority_side = "b";
  Issue();
  WrapBefore before = Before();
  Fake("a").Hold(Token("agreed"));
  Fake("b").Hold(Token("agreed"));

  const WrapReport report = Finish(std::move(before), "pair-tool --renew");
  EXPECT_EQ(report.decision.outcome, WrapOutcome::kAdopt);
  EXPECT_EQ(report.decision.source, 1U);  // b, the authority, though a comes first in `order`
  EXPECT_EQ(report.code, 0);
  const std::vector<Event> events = Events();
  ASSERT_GE(events.size(), 4U);
  ASSERT_EQ(events[3].type, "TokenAdopted");
  const token::TokenAdopted adopted = token::DecodeAdopted(events[3].payload).value();
  EXPECT_EQ(adopted.side, "b");
  EXPECT_EQ(adopted.reason, "wrap: pair-tool --renew");
  EXPECT_EQ(Fake("a").writes(), 1);  // both already held it
  EXPECT_EQ(Fake("b").writes(), 1);
}

// ObserveBeforeWrap only replays: a pending operation is left for the pass after the command,
// since the command may be what settles it. Here it does: it puts the intended token on b.
TEST_F(WrapTest, APendingOperationIsLeftForThePassThatFollowsTheCommand) {
  Fake("b").FailNextWrite(Status::IoError("disk full"));
  SeamContext ctx = Ctx();
  Result<OperationReport> issued = IssueToken(ctx, seam_);
  ASSERT_TRUE(issued.ok());
  ASSERT_FALSE(issued->AllSidesWritten());
  ASSERT_EQ(Types(), (std::vector<std::string>{"TokenIssued", "SideApplied"}));

  WrapBefore before = Before();
  EXPECT_EQ(Types().size(), 2U);  // nothing completed before the command
  EXPECT_EQ(before.state.applied, (std::set<std::string>{"a"}));
  EXPECT_EQ(before.sides[1].state, Observation::State::kMissing);
  Fake("b").Hold(Token(TokenOn("a")));  // the command

  const WrapReport report = Finish(std::move(before));
  EXPECT_EQ(report.decision.outcome, WrapOutcome::kFollowLog);
  EXPECT_TRUE(report.decision.sides[1].changed);
  EXPECT_FALSE(report.decision.sides[1].new_value);
  ASSERT_TRUE(report.pass.has_value());
  EXPECT_TRUE(report.pass->pending_sides.empty());
  EXPECT_EQ(report.pass->sides[1].action, "completed");
  EXPECT_EQ(report.code, 0);
  EXPECT_EQ(Types(), (std::vector<std::string>{"TokenIssued", "SideApplied", "SideApplied"}));
  const bookkeeping::SideApplied applied = bookkeeping::DecodeSideApplied(Events().back().payload).value();
  EXPECT_EQ(applied.side, "b");
  EXPECT_EQ(applied.version, 1);
  EXPECT_EQ(Fake("b").writes(), 0);  // confirmed as the command left it
}

TEST_F(WrapTest, ASideUnreadableAfterTheCommandRecordsNothingAndIsTrouble) {
  Issue();
  const std::size_t recorded = Types().size();
  WrapBefore before = Before();
  Fake("a").Hold(Token("rotated-by-the-tool"));
  Fake("b").FailNextObserve("timed out");

  const WrapReport report = Finish(std::move(before));
  EXPECT_EQ(report.decision.outcome, WrapOutcome::kUnreadable);
  EXPECT_EQ(report.decision.detail, "side b is unreadable after the command (fake b: timed out)");
  EXPECT_EQ(report.code, 2);
  ASSERT_EQ(report.errors.size(), 1U);
  EXPECT_THAT(report.errors[0], HasSubstr("nothing was recorded"));
  EXPECT_THAT(report.errors[0], HasSubstr("seamctl adopt s --from SIDE"));
  EXPECT_FALSE(report.pass.has_value());
  EXPECT_EQ(Types().size(), recorded);
  EXPECT_EQ(TokenOn("a"), "rotated-by-the-tool");
}

TEST_F(WrapTest, ASideChangedBackToAnOlderValueFollowsTheLog) {
  const std::string v1 = Issue();
  SeamContext ctx = Ctx();
  ASSERT_TRUE(RotateToken(ctx, seam_).ok());
  const std::string v2 = TokenOn("a");
  WrapBefore before = Before();
  Fake("b").Hold(Token(v1));  // the command restored an old token

  const WrapReport report = Finish(std::move(before));
  EXPECT_EQ(report.decision.outcome, WrapOutcome::kFollowLog);
  EXPECT_EQ(report.decision.sides[1].after.verdict, Verdict::kLagging);
  EXPECT_FALSE(report.decision.sides[1].new_value);
  ASSERT_TRUE(report.pass.has_value());
  EXPECT_EQ(report.pass->sides[1].action, "repaired");
  EXPECT_EQ(report.code, 0);
  EXPECT_EQ(TokenOn("b"), v2);
  const std::vector<std::string> types = Types();
  EXPECT_THAT(std::vector<std::string>(types.end() - 3, types.end()),
              ElementsAre("DriftOpened", "SideRepaired", "DriftClosed"));
}

TEST_F(WrapTest, TheRecordedCommandLineHasNoControlCharactersAndIsCutOnACharacterBoundary) {
  EXPECT_EQ(WrapCommandLine({"tool", "rotate", "--now"}), "tool rotate --now");
  EXPECT_EQ(WrapCommandLine({"echo", "a\nb\x7f", "\xff"}), "echo a?b? ?");
  // "é" is two bytes: within 7 bytes two fit before "..."; within 6, a third byte would split
  // the second one, so the cut steps back to the first.
  EXPECT_EQ(WrapCommandLine({"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"}, 7), "\xc3\xa9\xc3\xa9...");
  EXPECT_EQ(WrapCommandLine({"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"}, 6), "\xc3\xa9...");
  EXPECT_EQ(WrapCommandLine({"abcdefghij"}, 10), "abcdefghij");
  EXPECT_EQ(WrapCommandLine({"abcdefghijk"}, 10), "abcdefg...");
}

}  // namespace
}  // namespace seam::testing
