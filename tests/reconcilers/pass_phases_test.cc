// The reconcile pass's phases (reconcilers/reconcile_pass.h RunPass) on FakeSides over a
// MemEventStore and a FakeClock: what check mode leaves alone, what each repair policy records
// (DriftOpened, SideRepaired, DriftClosed), the repair budget marking the seam flapping and
// --force clearing it, an authority side's value adopted, an unreadable side, a pending
// operation completed whatever the policy, and the SeamReport's fields and exit code. The same
// passes on real files, through seamctl and seamd, are proven by the e2e suites.
#include "reconcilers/reconcile_pass.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/token/token_events.h"
#include "reconcilers/token/token_operations.h"
#include "tests/reconcilers/logic_fixture.h"

namespace seam::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::int64_t kMinute = 60'000'000;

class PassPhasesTest : public LogicTest {
 protected:
  // The types appended since the log held `before` events.
  std::vector<std::string> TypesSince(std::size_t before) {
    const std::vector<std::string> types = Types();
    return before >= types.size() ? std::vector<std::string>{}
                                  : std::vector<std::string>(types.begin() + static_cast<std::ptrdiff_t>(before), types.end());
  }
  const Event& Last(const std::string& type) {
    events_ = Events();
    for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
      if (it->type == type) return *it;
    }
    ADD_FAILURE() << "no " << type << " in the log";
    static const Event none;
    return none;
  }
  std::vector<Event> events_;
};

TEST_F(PassPhasesTest, CheckModeWritesNothingAndAppendsNothing) {
  Issue();
  Fake("b").Hold(Token("edited"));
  Fake("a").HoldNothing();
  const std::size_t recorded = Types().size();
  const int writes = Fake("a").writes() + Fake("b").writes();

  const SeamReport r = Pass(PassMode::kCheck);
  EXPECT_EQ(r.status, "drift");
  EXPECT_EQ(r.ExitCode(), 1);
  EXPECT_EQ(r.events_appended, 0);
  ASSERT_EQ(r.sides.size(), 2U);
  EXPECT_EQ(r.sides[0].judgement.verdict, Verdict::kMissing);
  EXPECT_EQ(r.sides[1].judgement.verdict, Verdict::kForeign);
  EXPECT_EQ(r.sides[0].action, "");
  EXPECT_EQ(r.sides[1].action, "");
  EXPECT_FALSE(r.sides[1].drift.has_value());  // no DriftOpened: a check only reads
  EXPECT_EQ(Types().size(), recorded);
  EXPECT_EQ(Fake("a").writes() + Fake("b").writes(), writes);
  EXPECT_EQ(TokenOn("b"), "edited");
  EXPECT_FALSE(Fake("a").held().has_value());
}

TEST_F(PassPhasesTest, RepairOffRecordsTheDriftAndLeavesTheSide) {
  Issue();
  seam_.repair = RepairPolicy::kOff;
  Fake("b").Hold(Token("edited"));
  const std::size_t recorded = Types().size();

  const SeamReport r = Pass();
  EXPECT_THAT(TypesSince(recorded), ElementsAre("DriftOpened"));
  const drift::DriftOpened opened = drift::DecodeDriftOpened(Last("DriftOpened").payload).value();
  EXPECT_EQ(opened.seam, "s");
  EXPECT_EQ(opened.side, "b");
  EXPECT_EQ(opened.verdict, "foreign");
  EXPECT_EQ(opened.intended_version, 1);
  EXPECT_EQ(opened.first_seen_at_us, clock_.NowMicros());
  EXPECT_EQ(r.sides[1].action, "skipped");
  EXPECT_EQ(r.sides[1].action_detail, "repair = \"off\" for this seam");
  ASSERT_TRUE(r.sides[1].drift.has_value());
  EXPECT_EQ(r.sides[1].drift->verdict, "foreign");
  EXPECT_EQ(r.sides[1].drift->opened_version, static_cast<std::int64_t>(recorded) + 1);
  EXPECT_EQ(r.status, "drift");
  EXPECT_EQ(r.ExitCode(), 1);
  EXPECT_EQ(TokenOn("b"), "edited");

  // The next pass finds the same drift open: nothing new to record.
  const SeamReport again = Pass();
  EXPECT_EQ(again.events_appended, 0);
  EXPECT_EQ(Types().size(), recorded + 1);
}

// `notify`: a person decides. Drifts are recorded (and notified), never repaired by a pass, not
// even one run for a person, nor adopted from the authority; `repair --force` writes.
TEST_F(PassPhasesTest, RepairNotifyRecordsTheDriftAndOnlyAForcedRepairWrites) {
  Issue();
  seam_.repair = RepairPolicy::kNotify;
  seam_.authority_side = "a";
  Fake("b").Hold(Token("edited"));
  const std::size_t recorded = Types().size();

  const SeamReport r = Pass();
  EXPECT_THAT(TypesSince(recorded), ElementsAre("DriftOpened"));
  EXPECT_EQ(r.sides[1].action, "skipped");
  EXPECT_EQ(r.sides[1].action_detail,
            "repair = \"notify\" for this seam: a person decides (`seamctl repair --force s` writes it)");
  EXPECT_EQ(r.ExitCode(), 1);
  EXPECT_EQ(TokenOn("b"), "edited");
  Fake("a").Hold(Token("the-authority-says"));
  const SeamReport not_adopted = Pass();
  EXPECT_EQ(not_adopted.intended_version, 1) << "no adoption under notify";
  EXPECT_EQ(TokenOn("b"), "edited");

  PassOptions force;
  force.force = true;
  const SeamReport forced = Pass(PassMode::kRepair, force);
  EXPECT_EQ(forced.status, "in_sync") << forced.sides[1].action_detail;
  EXPECT_EQ(TokenOn("b"), "the-authority-says") << "forced: adopted from the authority, then written";
}

// `manual` means "not on its own": seamd treats it as off, but a pass run for a person
// (`seamctl repair`) repairs as `auto` does.
TEST_F(PassPhasesTest, RepairManualRepairsWhenAPassIsRunAsAutoDoes) {
  const std::string issued = Issue();
  seam_.repair = RepairPolicy::kManual;
  Fake("b").Hold(Token("edited"));
  const std::size_t recorded = Types().size();

  const SeamReport r = Pass();
  EXPECT_THAT(TypesSince(recorded), ElementsAre("DriftOpened", "SideRepaired", "DriftClosed"));
  EXPECT_EQ(r.sides[1].action, "repaired");
  EXPECT_EQ(r.sides[1].judgement.verdict, Verdict::kInSync);
  EXPECT_FALSE(r.sides[1].drift.has_value());
  EXPECT_EQ(r.status, "in_sync");
  EXPECT_EQ(r.ExitCode(), 0);
  EXPECT_EQ(r.events_appended, 3);
  EXPECT_EQ(TokenOn("b"), issued);
  const drift::DriftClosed closed = drift::DecodeDriftClosed(Last("DriftClosed").payload).value();
  EXPECT_EQ(closed.side, "b");
  EXPECT_EQ(closed.how, "repaired");
  EXPECT_EQ(closed.opened_version, static_cast<std::int64_t>(recorded) + 1);
}

TEST_F(PassPhasesTest, RepairAutoWritesAMissingSideAndRecordsTheWholeDrift) {
  const std::string issued = Issue();
  Fake("a").HoldNothing();
  const std::size_t recorded = Types().size();

  const SeamReport r = Pass();
  EXPECT_THAT(TypesSince(recorded), ElementsAre("DriftOpened", "SideRepaired", "DriftClosed"));
  EXPECT_EQ(drift::DecodeDriftOpened(Last("DriftOpened").payload).value().verdict, "missing");
  const bookkeeping::SideRepaired repaired = bookkeeping::DecodeSideRepaired(Last("SideRepaired").payload).value();
  EXPECT_EQ(repaired.side, "a");
  EXPECT_EQ(repaired.action, "write");
  EXPECT_EQ(repaired.verdict_before, "missing");
  EXPECT_EQ(repaired.version_written, 1);
  EXPECT_TRUE(repaired.sealed_before.empty());  // nothing was held: nothing to keep
  EXPECT_EQ(r.sides[0].action, "repaired");
  EXPECT_EQ(r.sides[1].action, "");
  EXPECT_EQ(r.ExitCode(), 0);
  EXPECT_EQ(TokenOn("a"), issued);
  EXPECT_EQ(Fake("a").writes(), 2);
  EXPECT_EQ(Fake("b").writes(), 1);
}

// A person's `seamctl repair` runs and seamd's passes spend budgets of their own: the runs a
// person made while looking into a drift do not make seamd's first pass call the seam flapping.
TEST_F(PassPhasesTest, APersonsRepairsDoNotSpendSeamdsRepairBudget) {
  Issue();
  seam_.repair_budget.count = 2;
  seam_.repair_budget.window_us = 10 * kMinute;
  actor_ = "seamctl:alice@host";
  for (int i = 0; i < 2; ++i) {
    Fake("b").Hold(Token("undone-" + std::to_string(i)));
    EXPECT_EQ(Pass().sides[1].action, "repaired");
    clock_.Advance(kMinute);
  }
  actor_ = "seamd:root@host";
  for (int i = 0; i < 2; ++i) {
    Fake("b").Hold(Token("undone-by-seamd-" + std::to_string(i)));
    SeamReport r = Pass();
    EXPECT_EQ(r.sides[1].action, "repaired") << "seamd's repair " << i + 1 << " of its budget of 2";
    EXPECT_FALSE(r.flapping);
  }
  // seamd's third within the window is past its own budget.
  Fake("b").Hold(Token("undone-again"));
  EXPECT_TRUE(Pass().flapping);
  EXPECT_EQ(bookkeeping::DecodeSeamFlapping(Last("SeamFlapping").payload).value().repairs, 2);
  int by_person = 0, by_seamd = 0;
  for (const Event& e : Events()) {
    if (e.type != "SideRepaired") continue;
    (e.actor == "seamd:root@host" ? by_seamd : by_person) += e.actor == "seamctl:alice@host" || e.actor == "seamd:root@host";
  }
  EXPECT_EQ(by_person, 2);
  EXPECT_EQ(by_seamd, 2);
}

TEST_F(PassPhasesTest, ASideUndonePastTheRepairBudgetMakesTheSeamFlappingUntilForced) {
  const std::string issued = Issue();
  seam_.repair_budget.count = 2;
  seam_.repair_budget.window_us = 10 * kMinute;
  for (int i = 0; i < 2; ++i) {
    Fake("b").Hold(Token("undone-" + std::to_string(i)));
    EXPECT_EQ(Pass().sides[1].action, "repaired");
    clock_.Advance(kMinute);
  }
  Fake("b").Hold(Token("undone-again"));
  std::size_t recorded = Types().size();

  SeamReport r = Pass();
  EXPECT_THAT(TypesSince(recorded), ElementsAre("DriftOpened", "SeamFlapping"));
  const bookkeeping::SeamFlapping flapping = bookkeeping::DecodeSeamFlapping(Last("SeamFlapping").payload).value();
  EXPECT_EQ(flapping.side, "b");
  EXPECT_EQ(flapping.repairs, 2);
  EXPECT_EQ(flapping.window_s, 600);
  EXPECT_TRUE(r.flapping);
  EXPECT_EQ(r.flapping_side, "b");
  EXPECT_EQ(r.flapping_since_us, clock_.NowMicros());
  EXPECT_EQ(r.status, "flapping");
  EXPECT_EQ(r.ExitCode(), 1);
  EXPECT_EQ(r.sides[1].action, "skipped");
  EXPECT_THAT(r.sides[1].action_detail, HasSubstr("the seam is flapping (repairs of side b kept being undone)"));
  EXPECT_THAT(r.sides[1].action_detail, HasSubstr("`seamctl repair --force s`"));
  EXPECT_EQ(TokenOn("b"), "undone-again");

  // Still flapping on the next pass, even with the window long gone: nothing written or recorded.
  clock_.Advance(60 * kMinute);
  r = Pass();
  EXPECT_TRUE(r.flapping);
  EXPECT_EQ(r.events_appended, 0);
  EXPECT_EQ(TokenOn("b"), "undone-again");

  // --force clears it and repairs, whatever the budget.
  recorded = Types().size();
  PassOptions force;
  force.force = true;
  r = Pass(PassMode::kRepair, force);
  EXPECT_THAT(TypesSince(recorded), ElementsAre("FlappingCleared", "SideRepaired", "DriftClosed"));
  EXPECT_EQ(bookkeeping::DecodeFlappingCleared(Last("FlappingCleared").payload).value().reason,
            "seamctl repair --force");
  EXPECT_FALSE(r.flapping);
  EXPECT_EQ(r.sides[1].action, "repaired");
  EXPECT_EQ(r.status, "in_sync");
  EXPECT_EQ(r.ExitCode(), 0);
  EXPECT_EQ(TokenOn("b"), issued);
}

TEST_F(PassPhasesTest, RepairsOlderThanTheBudgetsWindowDoNotCount) {
  Issue();
  seam_.repair_budget.count = 1;
  seam_.repair_budget.window_us = 10 * kMinute;
  Fake("b").Hold(Token("undone-0"));
  EXPECT_EQ(Pass().sides[1].action, "repaired");
  clock_.Advance(11 * kMinute);
  Fake("b").Hold(Token("undone-1"));
  const SeamReport r = Pass();
  EXPECT_EQ(r.sides[1].action, "repaired");
  EXPECT_FALSE(r.flapping);
  for (const std::string& type : Types()) EXPECT_NE(type, "SeamFlapping");
}

TEST_F(PassPhasesTest, AnAuthoritySideHoldingAForeignValueIsAdoptedAndTheOtherSideFollows) {
  Issue();
  seam_.authority_side = "a";
  Fake("a").Hold(Token("the-authority-says"));
  const std::size_t recorded = Types().size();

  const SeamReport r = Pass();
  EXPECT_THAT(TypesSince(recorded), ElementsAre("TokenAdopted", "SideApplied", "SideApplied"));
  const Event& adopted_event = Last("TokenAdopted");
  const token::TokenAdopted adopted = token::DecodeAdopted(adopted_event.payload).value();
  EXPECT_EQ(adopted.side, "a");
  EXPECT_EQ(adopted.reason, "authority");
  Result<Secret> value = keys_.Open(adopted.sealed_value, SealContext(seam_.stream(), adopted_event.version));
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->Reveal(), "the-authority-says");
  EXPECT_EQ(r.sides[0].action, "adopted");
  EXPECT_EQ(r.sides[1].action, "completed");
  EXPECT_EQ(r.intended_version, adopted_event.version);
  EXPECT_EQ(r.status, "in_sync");
  EXPECT_EQ(r.ExitCode(), 0);
  EXPECT_EQ(TokenOn("a"), "the-authority-says");
  EXPECT_EQ(TokenOn("b"), "the-authority-says");
  EXPECT_EQ(Fake("a").writes(), 1);  // the issue's: adopting never writes the authority
}

TEST_F(PassPhasesTest, AnAuthoritySideIsNotAdoptedFromWhenRepairIsOff) {
  Issue();
  seam_.authority_side = "a";
  seam_.repair = RepairPolicy::kOff;
  Fake("a").Hold(Token("the-authority-says"));
  const std::size_t recorded = Types().size();
  const SeamReport r = Pass();
  EXPECT_THAT(TypesSince(recorded), ElementsAre("DriftOpened"));
  EXPECT_EQ(r.sides[0].action, "skipped");
  EXPECT_EQ(r.intended_version, 1);
  EXPECT_EQ(r.ExitCode(), 1);
}

TEST_F(PassPhasesTest, AnUnreadableSideIsTroubleAndOpensNoDrift) {
  Issue();
  Fake("b").FailNextObserve("connection refused");
  const std::size_t recorded = Types().size();

  const SeamReport r = Pass();
  EXPECT_EQ(r.ExitCode(), 2);
  EXPECT_EQ(r.status, "unknown");
  EXPECT_EQ(r.events_appended, 1);  // the unreadable spell's start, nothing else
  EXPECT_EQ(r.sides[1].judgement.verdict, Verdict::kUnreadable);
  EXPECT_EQ(r.sides[1].judgement.detail, "fake b: connection refused");
  EXPECT_EQ(r.sides[1].action, "");
  EXPECT_FALSE(r.sides[1].drift.has_value());
  EXPECT_THAT(r.errors, IsEmpty());  // a side's verdict, not an error of the pass
  ASSERT_EQ(Types().size(), recorded + 1);
  EXPECT_EQ(Types().back(), "SideUnreadable");
}

TEST_F(PassPhasesTest, APendingOperationIsCompletedWhateverThePolicyButNotByACheck) {
  seam_.repair = RepairPolicy::kOff;
  Fake("b").FailNextWrite(Status::IoError("disk full"));
  SeamContext ctx = Ctx();
  Result<OperationReport> issued = IssueToken(ctx, seam_);
  ASSERT_TRUE(issued.ok());
  ASSERT_FALSE(issued->AllSidesWritten());
  ASSERT_EQ(Types(), (std::vector<std::string>{"TokenIssued", "SideApplied"}));

  SeamReport r = Pass(PassMode::kCheck);
  EXPECT_EQ(r.pending_operation, "TokenIssued");
  EXPECT_EQ(r.pending_version, 1);
  EXPECT_THAT(r.pending_sides, ElementsAre("b"));
  EXPECT_EQ(r.sides[1].judgement.verdict, Verdict::kMissing);
  EXPECT_EQ(r.status, "drift");
  EXPECT_EQ(r.ExitCode(), 1);
  EXPECT_EQ(Types().size(), 2U);
  EXPECT_FALSE(Fake("b").held().has_value());

  r = Pass();  // repair = "off": completing is not a drift repair
  EXPECT_THAT(TypesSince(2), ElementsAre("SideApplied"));
  const bookkeeping::SideApplied applied = bookkeeping::DecodeSideApplied(Last("SideApplied").payload).value();
  EXPECT_EQ(applied.side, "b");
  EXPECT_EQ(applied.version, 1);
  EXPECT_EQ(r.sides[1].action, "completed");
  EXPECT_THAT(r.pending_sides, IsEmpty());
  EXPECT_EQ(r.pending_operation, "");
  EXPECT_EQ(r.status, "in_sync");
  EXPECT_EQ(r.ExitCode(), 0);
  EXPECT_EQ(TokenOn("b"), TokenOn("a"));
}

// A completion that fails is trouble; the side is then recorded as a drift (it does not hold the
// intent) and not repaired in that pass. The completion that works closes the drift.
TEST_F(PassPhasesTest, APendingSideThatStillCannotBeWrittenStaysPendingWithAnError) {
  Fake("b").FailNextWrite(Status::IoError("disk full"));
  SeamContext ctx = Ctx();
  ASSERT_TRUE(IssueToken(ctx, seam_).ok());
  Fake("b").FailNextWrite(Status::IoError("still full"));

  SeamReport r = Pass();
  EXPECT_THAT(r.pending_sides, ElementsAre("b"));
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_THAT(r.errors[0], HasSubstr("the previous operation (TokenIssued, rev 1) is still pending on side b"));
  EXPECT_THAT(r.errors[0], HasSubstr("still full"));
  EXPECT_FALSE(r.retryable);
  EXPECT_EQ(r.sides[1].action, "skipped");
  EXPECT_EQ(r.sides[1].action_detail, "not repaired: an earlier step of this pass failed (see errors)");
  EXPECT_EQ(r.status, "drift");
  EXPECT_EQ(r.ExitCode(), 2);
  // The drift, and that the operation is still pending on b (OperationPending: a notification).
  EXPECT_THAT(TypesSince(2), ElementsAre("DriftOpened", "OperationPending"));
  EXPECT_EQ(drift::DecodeDriftOpened(Last("DriftOpened").payload).value().verdict, "missing");
  const drift::OperationPending pending = drift::DecodeOperationPending(Last("OperationPending").payload).value();
  EXPECT_EQ(pending.operation, "TokenIssued");
  EXPECT_EQ(pending.version, 1);
  EXPECT_THAT(pending.sides, ElementsAre("b"));
  EXPECT_FALSE(Fake("b").held().has_value());

  r = Pass();
  EXPECT_THAT(TypesSince(4), ElementsAre("SideApplied", "DriftClosed", "PendingEnded"));
  EXPECT_EQ(drift::DecodePendingEnded(Last("PendingEnded").payload).value().how, "completed");
  const drift::DriftClosed closed = drift::DecodeDriftClosed(Last("DriftClosed").payload).value();
  EXPECT_EQ(closed.side, "b");
  EXPECT_EQ(closed.how, "repaired");
  EXPECT_EQ(closed.opened_version, 3);
  EXPECT_THAT(r.pending_sides, IsEmpty());
  EXPECT_EQ(r.ExitCode(), 0);
  EXPECT_EQ(TokenOn("b"), TokenOn("a"));
}

TEST_F(PassPhasesTest, TheReportNamesTheSeamItsIntentAndEachSide) {
  SeamReport unset = Pass(PassMode::kCheck);
  EXPECT_EQ(unset.status, "unset");
  EXPECT_EQ(unset.intended_state, "unset");
  EXPECT_EQ(unset.intended_version, 0);
  EXPECT_EQ(unset.intended_fingerprint, "");
  EXPECT_EQ(unset.ExitCode(), 0);

  const std::string issued = Issue();
  const SeamReport r = Pass(PassMode::kCheck);
  EXPECT_EQ(r.name, "s");
  EXPECT_EQ(r.kind, "token");
  EXPECT_EQ(r.entity, "e");
  EXPECT_EQ(r.status, "in_sync");
  EXPECT_EQ(r.intended_state, "active");
  EXPECT_EQ(r.intended_version, 1);
  EXPECT_EQ(r.intended_fingerprint, keys_.Fingerprint(issued));
  EXPECT_THAT(r.pending_sides, IsEmpty());
  EXPECT_EQ(r.pending_operation, "");
  EXPECT_FALSE(r.flapping);
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_EQ(r.ExitCode(), 0);
  ASSERT_EQ(r.sides.size(), 2U);
  for (const SideReport& s : r.sides) {
    EXPECT_EQ(s.judgement.verdict, Verdict::kInSync) << s.name;
    EXPECT_EQ(s.judgement.holds_version, 1) << s.name;
    EXPECT_EQ(s.judgement.fingerprint, r.intended_fingerprint) << s.name;
  }
  EXPECT_EQ(r.sides[0].name, "a");
  EXPECT_EQ(r.sides[1].name, "b");
}

TEST_F(PassPhasesTest, AValueOnASideOfASeamWithNoIntentIsDriftThatIsNotRepaired) {
  Fake("b").Hold(Token("found-there"));
  const SeamReport r = Pass();
  EXPECT_EQ(r.sides[1].judgement.verdict, Verdict::kForeign);
  EXPECT_EQ(r.sides[1].action, "skipped");
  EXPECT_EQ(r.sides[1].action_detail, "the log holds no token for this seam yet (token issue, or adopt)");
  EXPECT_EQ(r.status, "drift");
  EXPECT_EQ(r.ExitCode(), 1);
  EXPECT_THAT(Types(), IsEmpty());  // no intent: nothing to drift from, nothing recorded
  EXPECT_EQ(TokenOn("b"), "found-there");
}

TEST_F(PassPhasesTest, ADryRunSaysWhatItWouldDoAndDoesNothing) {
  Issue();
  seam_.authority_side = "a";
  Fake("a").Hold(Token("the-authority-says"));
  Fake("b").HoldNothing();
  const std::size_t recorded = Types().size();
  const SeamReport r = Pass(PassMode::kDryRun);
  EXPECT_EQ(r.sides[0].action, "would adopt");
  EXPECT_EQ(r.sides[1].action, "would repair");
  EXPECT_EQ(r.events_appended, 0);
  EXPECT_EQ(Types().size(), recorded);
  EXPECT_EQ(TokenOn("a"), "the-authority-says");
  EXPECT_FALSE(Fake("b").held().has_value());
}

// PassOptions::defer_acting (seamd's looks): a pass that would act stops before it appends or
// writes anything...
TEST_F(PassPhasesTest, DeferActingStopsBeforeAnythingWhenThePassWouldAct) {
  const std::string issued = Issue();
  Fake("a").HoldNothing();
  const std::size_t recorded = Types().size();
  PassOptions defer;
  defer.defer_acting = true;
  const SeamReport deferred = Pass(PassMode::kRepair, defer);
  EXPECT_TRUE(deferred.deferred);
  EXPECT_THAT(TypesSince(recorded), IsEmpty());
  EXPECT_EQ(Fake("a").writes(), 1);
  // ...and the whole pass, run after it, repairs.
  const SeamReport whole = Pass();
  EXPECT_FALSE(whole.deferred);
  EXPECT_EQ(whole.sides[0].action, "repaired");
  EXPECT_EQ(TokenOn("a"), issued);
}

// ...while a pass with nothing to do runs to its end, having appended and written nothing.
TEST_F(PassPhasesTest, DeferActingLetsAPassWithNothingToDoFinish) {
  Issue();
  const std::size_t recorded = Types().size();
  PassOptions defer;
  defer.defer_acting = true;
  const SeamReport in_sync = Pass(PassMode::kRepair, defer);
  EXPECT_FALSE(in_sync.deferred);
  EXPECT_EQ(in_sync.status, "in_sync");
  EXPECT_THAT(TypesSince(recorded), IsEmpty());
  EXPECT_EQ(Fake("a").writes(), 1);
  EXPECT_EQ(Fake("b").writes(), 1);
}

// Each thing a pass may append makes a look defer: a drift the log holds open (closing it is an
// append), and a pending operation, not only a drift seen now.
TEST_F(PassPhasesTest, DeferActingCountsAnOpenDriftAndAPendingOperation) {
  const std::string issued = Issue();
  seam_.repair = RepairPolicy::kOff;
  Fake("a").Hold(Token("hand-edited"));
  EXPECT_FALSE(Pass().deferred);  // records the drift, leaves the side
  Fake("a").Hold(Token(issued));  // put back by hand: the next pass closes the drift
  PassOptions defer;
  defer.defer_acting = true;
  const std::size_t recorded = Types().size();
  EXPECT_TRUE(Pass(PassMode::kRepair, defer).deferred);
  EXPECT_THAT(TypesSince(recorded), IsEmpty());
  Pass();
  EXPECT_EQ(Types().back(), "DriftClosed");
  EXPECT_FALSE(Pass(PassMode::kRepair, defer).deferred);  // nothing open any more

  // An operation that has not reached side b yet.
  Fake("b").FailNextWrite(Status::IoError("disk full"));
  SeamContext ctx = Ctx();
  (void)RotateToken(ctx, seam_);
  const std::size_t before = Types().size();
  EXPECT_TRUE(Pass(PassMode::kRepair, defer).deferred);
  EXPECT_EQ(Types().size(), before);
}

}  // namespace
}  // namespace seam::testing
