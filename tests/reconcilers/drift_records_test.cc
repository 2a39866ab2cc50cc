// Drift records (reconcilers/drift_tracking.h) through the real reconcile pass: a real SQLite
// log, real json-file sides, a real confirmation book, and the fake clock so that every time in
// a DriftOpened / DriftClosed is asserted exactly.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <sstream>

#include <spdlog/sinks/ostream_sink.h>

#include "core/crypto.h"

#include "reconcilers/drift_events.h"
#include "reconcilers/kinds.h"
#include "reconcilers/logger.h"
#include "reconcilers/operations.h"
#include "reconcilers/token/token_operations.h"
#include "reconcilers/reconcile_pass.h"
#include "reconcilers/audit_fold.h"
#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/record_state.h"
#include "reconcilers/token/token_events.h"
#include "store/sqlite_confirmation_book.h"
#include "tests/reconcilers/seam_fixture.h"
#include "tests/support/temp_dir.h"

namespace seam {
namespace {

using testing::SeamFixture;

constexpr std::int64_t kSecond = 1'000'000;

std::vector<Event> Stream(SeamFixture& f) { return f.store->ReadStream("token/device-42").value(); }

const SideReport& SideNamed(const SeamReport& r, const std::string& name) {
  for (const SideReport& s : r.sides) {
    if (s.name == name) return s;
  }
  ADD_FAILURE() << "no side " << name;
  static const SideReport none;
  return none;
}

SeamConfig WithPolicy(const SeamConfig& seam, RepairPolicy policy) {
  SeamConfig copy = seam;
  copy.repair = policy;
  return copy;
}

TEST(DriftRecords, ALaggingSideIsOpenedThenRepairedAndClosedWithExactTimes) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  const std::string old_gateway = testing::ReadFile(f.gateway_path());
  f.clock.Advance(10 * kSecond);
  const std::int64_t rotated_at = f.clock.NowMicros();
  ASSERT_TRUE(RotateToken(ctx, f.seam()).ok());
  f.clock.Advance(5 * kSecond);
  testing::WriteFile(f.gateway_path(), old_gateway);  // a stale restore
  f.clock.Advance(7 * kSecond);
  const std::int64_t seen_at = f.clock.NowMicros();

  auto report = RunPass(ctx, f.seam(), PassMode::kRepair);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->status, "in_sync");
  EXPECT_FALSE(SideNamed(*report, "gateway").drift.has_value()) << "closed by the end of the pass";

  const std::vector<Event> events = Stream(f);
  ASSERT_EQ(events.size(), 9U);
  ASSERT_EQ(events[6].type, drift::kDriftOpened);
  const drift::DriftOpened opened = drift::DecodeDriftOpened(events[6].payload).value();
  EXPECT_EQ(opened.seam, "device-token");
  EXPECT_EQ(opened.side, "gateway");
  EXPECT_EQ(opened.verdict, "lagging");
  EXPECT_EQ(opened.holds_version, 1);
  EXPECT_EQ(opened.intended_version, 4);
  EXPECT_EQ(opened.fingerprint.rfind("fp:", 0), 0U);
  // The log's last confirmation of the gateway: the rotation's SideApplied.
  EXPECT_EQ(opened.last_in_sync_at_us, rotated_at);
  EXPECT_EQ(opened.first_seen_at_us, seen_at);
  // The file's mtime (real time) is before the fake clock's last_in_sync: it says nothing about
  // this drift, so it is left out (the seamd e2e suite sees one on the real clock).
  EXPECT_EQ(opened.side_changed_at_us, 0);
  ASSERT_EQ(events[8].type, drift::kDriftClosed);
  const drift::DriftClosed closed = drift::DecodeDriftClosed(events[8].payload).value();
  EXPECT_EQ(closed.side, "gateway");
  EXPECT_EQ(closed.how, "repaired");
  EXPECT_EQ(closed.opened_version, 7);
  EXPECT_EQ(closed.cause, "SideRepaired by test-actor");
  EXPECT_EQ(closed.at_us, seen_at);

  // In sync: another pass records nothing.
  auto again = RunPass(ctx, f.seam(), PassMode::kRepair);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->events_appended, 0);
}

TEST(DriftRecords, RepairOffRecordsTheDriftOnceAndAnExternalFixClosesIt) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  const SeamConfig off = WithPolicy(f.seam(), RepairPolicy::kOff);
  const std::string good_cli = testing::ReadFile(f.cli_path());
  f.SetCliToken("hand-edited");
  f.clock.Advance(3 * kSecond);
  const std::int64_t first_seen = f.clock.NowMicros();

  auto report = RunPass(ctx, off, PassMode::kRepair);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->status, "drift");
  const SideReport& cli = SideNamed(*report, "cli");
  ASSERT_TRUE(cli.drift.has_value());
  EXPECT_EQ(cli.drift->verdict, "foreign");
  EXPECT_EQ(cli.drift->first_seen_at_us, first_seen);
  EXPECT_EQ(report->events_appended, 1);

  // Seen again, later: the same drift, still open, nothing recorded; check shows it too.
  f.clock.Advance(60 * kSecond);
  auto still = RunPass(ctx, off, PassMode::kRepair);
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->events_appended, 0);
  auto checked = RunPass(ctx, f.seam(), PassMode::kCheck);
  ASSERT_TRUE(checked.ok());
  ASSERT_TRUE(SideNamed(*checked, "cli").drift.has_value());
  EXPECT_EQ(SideNamed(*checked, "cli").drift->first_seen_at_us, first_seen);

  // Someone puts the right value back by hand: closed "external".
  testing::WriteFile(f.cli_path(), good_cli);
  f.clock.Advance(kSecond);
  auto fixed = RunPass(ctx, off, PassMode::kRepair);
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(fixed->status, "in_sync");
  const std::vector<Event> events = Stream(f);
  ASSERT_EQ(events.back().type, drift::kDriftClosed);
  const drift::DriftClosed closed = drift::DecodeDriftClosed(events.back().payload).value();
  EXPECT_EQ(closed.how, "external");
  EXPECT_EQ(closed.cause, "");
  EXPECT_EQ(closed.at_us, f.clock.NowMicros());
}

TEST(DriftRecords, AChangedDriftSupersedesTheOpenOneAndKeepsItsBracket) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  const SeamConfig off = WithPolicy(f.seam(), RepairPolicy::kOff);
  f.SetCliToken("first-edit");
  ASSERT_TRUE(RunPass(ctx, off, PassMode::kRepair).ok());
  const drift::DriftOpened first = drift::DecodeDriftOpened(Stream(f).back().payload).value();

  f.clock.Advance(kSecond);
  std::filesystem::remove(f.cli_path());  // now missing
  auto report = RunPass(ctx, off, PassMode::kRepair);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->events_appended, 2);
  const std::vector<Event> events = Stream(f);
  ASSERT_EQ(events[events.size() - 2].type, drift::kDriftClosed);
  const drift::DriftClosed superseded = drift::DecodeDriftClosed(events[events.size() - 2].payload).value();
  EXPECT_EQ(superseded.how, "superseded");
  const drift::DriftOpened second = drift::DecodeDriftOpened(events.back().payload).value();
  EXPECT_EQ(second.verdict, "missing");
  EXPECT_EQ(second.last_in_sync_at_us, first.last_in_sync_at_us) << "not in sync in between";
  EXPECT_EQ(second.first_seen_at_us, f.clock.NowMicros());
}

// An operation left pending (a crash after the gateway confirmed it, before the CLI was
// written); meanwhile the gateway, already confirmed, drifted. Completing the operation
// rewrites the gateway too; the drift is recorded before that, so it is not lost, and it ends
// with that write.
TEST(DriftRecords, ADriftOnASideAPendingOperationAlreadyReachedIsRecordedBeforeTheCompletion) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  // The crash, as the log and the sides hold it: TokenRotated v4, SideApplied gateway; cli old.
  const std::string stream = "token/device-42";
  const std::string token = "rotated-token-0123456789abcdefghijklmnopqr";
  const std::string sealed = f.keys->Seal(Secret(token), SealContext(stream, 4)).value();
  const std::int64_t now = f.clock.NowMicros();
  ASSERT_TRUE(f.store
                  ->Append(stream, 3,
                           {EventDraft{token::kTokenRotated, "test-actor", now, token::Encode(token::TokenValueSet{sealed})},
                            EventDraft{bookkeeping::kSideApplied, "test-actor", now, bookkeeping::Encode(bookkeeping::SideApplied{"gateway", 4})}})
                  .ok());
  f.SetGatewayDigest(std::string(64, 'e'));  // then the gateway drifts: a value the log never had
  f.clock.Advance(kSecond);

  auto report = RunPass(ctx, f.seam(), PassMode::kRepair);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->status, "in_sync");
  EXPECT_EQ(f.CliToken(), token);
  // The drift, then the completion's write over the gateway, and right after that write's
  // confirmation the drift's end: the read-back is the gateway seen in sync.
  const std::vector<Event> events = Stream(f);
  std::vector<std::string> types;
  for (const Event& e : events) types.push_back(e.type);
  ASSERT_GE(events.size(), 9U) << ::testing::PrintToString(types);
  EXPECT_EQ(types[5], drift::kDriftOpened) << ::testing::PrintToString(types);
  EXPECT_EQ(types[6], bookkeeping::kSideRepaired) << ::testing::PrintToString(types);
  ASSERT_EQ(types[7], drift::kDriftClosed) << ::testing::PrintToString(types);
  const drift::DriftOpened opened = drift::DecodeDriftOpened(events[5].payload).value();
  EXPECT_EQ(opened.side, "gateway");
  EXPECT_EQ(opened.verdict, "foreign");
  const drift::DriftClosed closed = drift::DecodeDriftClosed(events[7].payload).value();
  EXPECT_EQ(closed.side, "gateway");
  EXPECT_EQ(closed.how, "repaired");
  EXPECT_EQ(closed.at_us, events[6].time_us) << "closed when the write was read back";
  // The CLI was only waiting for the operation: no drift for it.
  for (const Event& e : Stream(f)) {
    if (e.type == drift::kDriftOpened) {
      EXPECT_EQ(drift::DecodeDriftOpened(e.payload).value().side, "gateway");
    }
  }
}

// An open drift whose side an operation then wrote, restored to the same stale copy before
// any pass saw it in sync: the first drift ended with that write ("repaired", closed by the
// operation when it read the write back), and a new one began after it; the new bracket starts
// at the write, not at the first drift's start.
TEST(DriftRecords, ASideWrittenThenStaleAgainClosesTheOldDriftAndOpensANewOne) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  const SeamConfig off = WithPolicy(f.seam(), RepairPolicy::kOff);
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  const std::string stale = testing::ReadFile(f.gateway_path());
  ASSERT_TRUE(RotateToken(ctx, f.seam()).ok());
  testing::WriteFile(f.gateway_path(), stale);
  f.clock.Advance(kSecond);
  ASSERT_TRUE(RunPass(ctx, off, PassMode::kRepair).ok());
  ASSERT_EQ(Stream(f).back().type, drift::kDriftOpened);
  const std::int64_t first_opened = Stream(f).back().version;

  f.clock.Advance(kSecond);
  const std::int64_t rotated_at = f.clock.NowMicros();
  ASSERT_TRUE(RotateToken(ctx, f.seam()).ok());  // writes the gateway: the drift's "how" is set
  testing::WriteFile(f.gateway_path(), stale);   // and the stale copy is back before any pass
  f.clock.Advance(kSecond);
  ASSERT_TRUE(RunPass(ctx, off, PassMode::kRepair).ok());

  // The rotation's write, read back, ended the first drift right there; the stale copy then
  // opened a new one.
  const std::vector<Event> events = Stream(f);
  const Event* closing = nullptr;
  for (const Event& e : events) {
    if (e.type == drift::kDriftClosed) closing = &e;
  }
  ASSERT_NE(closing, nullptr);
  const drift::DriftClosed closed = drift::DecodeDriftClosed(closing->payload).value();
  EXPECT_EQ(closed.opened_version, first_opened);
  EXPECT_EQ(closed.how, "repaired");
  EXPECT_EQ(closed.cause.rfind("TokenRotated version", 0), 0U) << closed.cause;
  EXPECT_EQ(closed.at_us, rotated_at) << "at the rotation's write, not at the next pass";
  ASSERT_EQ(events.back().type, drift::kDriftOpened);
  const drift::DriftOpened reopened = drift::DecodeDriftOpened(events.back().payload).value();
  EXPECT_EQ(reopened.side, "gateway");
  EXPECT_EQ(reopened.last_in_sync_at_us, rotated_at) << "the rotation's write confirmed the side";
  EXPECT_EQ(reopened.first_seen_at_us, f.clock.NowMicros());
}

// An unreadable side: one SideUnreadable when the spell begins, however many passes see it, and
// nothing else (no drift, no repair, nothing written to the side).
TEST(DriftRecords, AnUnreadableSideRecordsOneSpellAndNothingElse) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  testing::WriteFile(f.cli_path(), "{not json");
  const std::size_t before = Stream(f).size();
  f.clock.Advance(5 * kSecond);
  const std::int64_t since = f.clock.NowMicros();
  RecordState kept(*FindKindSpec("token"));
  PassOptions seamd;
  seamd.state = &kept;
  seamd.readable_hold_us = kReadableHoldUs;
  auto report = RunPass(ctx, f.seam(), PassMode::kRepair, {}, seamd);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(SideNamed(*report, "cli").judgement.verdict, Verdict::kUnreadable);
  EXPECT_EQ(SideNamed(*report, "cli").unreadable_since_us, since);
  EXPECT_EQ(report->events_appended, 1);
  std::vector<Event> events = Stream(f);
  ASSERT_EQ(events.size(), before + 1);
  ASSERT_EQ(events.back().type, drift::kSideUnreadable);
  const drift::SideUnreadable spell = drift::DecodeSideUnreadable(events.back().payload).value();
  EXPECT_EQ(spell.seam, "device-token");
  EXPECT_EQ(spell.side, "cli");
  EXPECT_EQ(spell.since_us, since);
  EXPECT_NE(spell.reason.find("invalid JSON at line 1"), std::string::npos) << spell.reason;
  EXPECT_EQ(testing::ReadFile(f.cli_path()), "{not json") << "never written over";

  // An hour of passes (a dead network): still the one record, the same `since`.
  for (int i = 0; i < 60; ++i) {
    f.clock.Advance(60 * kSecond);
    auto again = RunPass(ctx, f.seam(), PassMode::kRepair, {}, seamd);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->events_appended, 0);
    EXPECT_EQ(SideNamed(*again, "cli").unreadable_since_us, since);
  }
  EXPECT_EQ(Stream(f).size(), before + 1);
}

// seamd (a kept state, a 60 s hold): the spell ends only after 60 s readable without a break,
// at the first read of that run; a break starts the run again and records nothing.
TEST(DriftRecords, AnUnreadableSpellEndsAfterSixtySecondsReadableWithoutABreak) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  const std::string good = testing::ReadFile(f.cli_path());
  RecordState kept(*FindKindSpec("token"));
  PassOptions seamd;
  seamd.state = &kept;
  seamd.readable_hold_us = kReadableHoldUs;
  auto pass = [&](std::int64_t advance_s) {
    f.clock.Advance(advance_s * kSecond);
    Result<SeamReport> r = RunPass(ctx, f.seam(), PassMode::kRepair, {}, seamd);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->events_appended : -1;
  };
  testing::WriteFile(f.cli_path(), "{not json");
  EXPECT_EQ(pass(1), 1);  // SideUnreadable
  const std::int64_t opened_version = Stream(f).back().version;
  testing::WriteFile(f.cli_path(), good);
  EXPECT_EQ(pass(10), 0);  // readable: the run begins
  EXPECT_EQ(pass(30), 0);
  testing::WriteFile(f.cli_path(), "{not json again");
  EXPECT_EQ(pass(10), 0);  // a break: the spell goes on, nothing new recorded
  testing::WriteFile(f.cli_path(), good);
  EXPECT_EQ(pass(10), 0);
  const std::int64_t run_began = f.clock.NowMicros();
  EXPECT_EQ(pass(30), 0);
  EXPECT_EQ(pass(29), 0);  // 59 s
  EXPECT_EQ(pass(2), 1);   // 61 s: SideReadable
  const Event last = Stream(f).back();
  ASSERT_EQ(last.type, drift::kSideReadable);
  const drift::SideReadable readable = drift::DecodeSideReadable(last.payload).value();
  EXPECT_EQ(readable.side, "cli");
  EXPECT_EQ(readable.opened_version, opened_version);
  EXPECT_EQ(readable.at_us, run_began);
  EXPECT_EQ(pass(60), 0);
  // A later spell is a new one.
  testing::WriteFile(f.cli_path(), "[]");
  EXPECT_EQ(pass(5), 1);
  EXPECT_EQ(Stream(f).back().type, drift::kSideUnreadable);
}

// A one-shot `seamctl repair` (no kept state, no hold) cannot watch for a minute: it records the
// end as soon as it reads the side.
TEST(DriftRecords, AOneShotRepairEndsTheSpellWhenItReadsTheSide) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  const std::string good = testing::ReadFile(f.cli_path());
  testing::WriteFile(f.cli_path(), "{not json");
  ASSERT_TRUE(RunPass(ctx, f.seam(), PassMode::kRepair).ok());
  ASSERT_EQ(Stream(f).back().type, drift::kSideUnreadable);
  testing::WriteFile(f.cli_path(), good);
  f.clock.Advance(3 * kSecond);
  ASSERT_TRUE(RunPass(ctx, f.seam(), PassMode::kCheck).ok());
  ASSERT_EQ(Stream(f).back().type, drift::kSideUnreadable) << "a check records nothing";
  auto report = RunPass(ctx, f.seam(), PassMode::kRepair);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->events_appended, 1);
  ASSERT_EQ(Stream(f).back().type, drift::kSideReadable);
  EXPECT_EQ(drift::DecodeSideReadable(Stream(f).back().payload)->at_us, f.clock.NowMicros());
}

// A look (seamd's pass without the lock) defers when a spell would begin or end.
TEST(DriftRecords, ALookDefersWhenASpellIsToBeRecorded) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  RecordState kept(*FindKindSpec("token"));
  PassOptions look;
  look.state = &kept;
  look.defer_acting = true;
  auto in_sync = RunPass(ctx, f.seam(), PassMode::kRepair, {}, look);
  ASSERT_TRUE(in_sync.ok());
  EXPECT_FALSE(in_sync->deferred);
  testing::WriteFile(f.cli_path(), "{not json");
  auto unreadable = RunPass(ctx, f.seam(), PassMode::kRepair, {}, look);
  ASSERT_TRUE(unreadable.ok());
  EXPECT_TRUE(unreadable->deferred);
}

// A drift found after a spell is bracketed by it: the audit says the side could not be read
// from the spell's start, and lists the spell with its end.
TEST(DriftRecords, ADriftFoundAfterAnUnreadableSpellIsBracketedByIt) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  const SeamConfig off = WithPolicy(f.seam(), RepairPolicy::kOff);
  ASSERT_TRUE(IssueToken(ctx, off).ok());
  const std::int64_t issued_at = f.clock.NowMicros();
  const std::string good = testing::ReadFile(f.cli_path());
  f.clock.Advance(10 * kSecond);
  testing::WriteFile(f.cli_path(), "{not json");
  const std::int64_t spell_since = f.clock.NowMicros();
  ASSERT_TRUE(RunPass(ctx, off, PassMode::kRepair).ok());
  f.clock.Advance(600 * kSecond);
  testing::WriteFile(f.cli_path(), good);
  f.SetCliToken("written-while-unreadable");
  const std::int64_t found_at = f.clock.NowMicros();
  ASSERT_TRUE(RunPass(ctx, off, PassMode::kRepair).ok());  // one-shot: the spell ends, the drift opens

  Result<AuditTimeline> t = FoldAudit(*f.store, *f.keys, off, AuditWindow{});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->unreadable.size(), 1U);
  EXPECT_EQ(t->unreadable[0].side, "cli");
  EXPECT_EQ(t->unreadable[0].since_us, spell_since);
  EXPECT_EQ(t->unreadable[0].until_us, found_at);
  EXPECT_NE(t->unreadable[0].closed_version, 0);
  ASSERT_EQ(t->drifts.size(), 1U);
  const AuditDrift& d = t->drifts[0];
  EXPECT_EQ(d.verdict, "foreign");
  EXPECT_EQ(d.last_in_sync_at_us, issued_at);
  EXPECT_EQ(d.first_seen_at_us, found_at);
  ASSERT_TRUE(d.during_unreadable.has_value());
  EXPECT_EQ(d.during_unreadable->since_us, spell_since);
  // The categories people and tools read.
  int unreadable = 0, readable = 0;
  for (const AuditEntry& e : t->entries) {
    unreadable += e.category == "unreadable";
    readable += e.category == "readable";
  }
  EXPECT_EQ(unreadable, 1);
  EXPECT_EQ(readable, 1);
}

TEST(DriftRecords, CheckAndDryRunRecordNothing) {
  SeamFixture f;
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  f.SetCliToken("edited");
  const std::size_t before = Stream(f).size();
  ASSERT_TRUE(RunPass(ctx, f.seam(), PassMode::kCheck).ok());
  ASSERT_TRUE(RunPass(ctx, f.seam(), PassMode::kDryRun).ok());
  EXPECT_EQ(Stream(f).size(), before);
}

TEST(DriftRecords, TheConfirmationBookNarrowsTheBracketAndSurvivesAReopen) {
  SeamFixture f;
  testing::TempDir state;
  const std::string book_path = (state / "confirmations.db").string();
  {
    auto book = SqliteConfirmationBook::Open(book_path).value();
    SeamContext ctx = f.Context();
    ctx.confirmations = book.get();
    ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
    f.clock.Advance(100 * kSecond);
    ASSERT_TRUE(RunPass(ctx, f.seam(), PassMode::kRepair).ok());  // in sync: confirmed now
    EXPECT_EQ(book->LastInSync("token/device-42", "cli"), f.clock.NowMicros());
    ASSERT_TRUE(book->Flush().ok());
  }
  const std::int64_t confirmed_at = f.clock.NowMicros();
  f.clock.Advance(50 * kSecond);
  f.SetCliToken("edited-after-the-confirmation");
  auto book = SqliteConfirmationBook::Open(book_path).value();  // a restarted daemon
  SeamContext ctx = f.Context();
  ctx.confirmations = book.get();
  const SeamConfig off = WithPolicy(f.seam(), RepairPolicy::kOff);
  ASSERT_TRUE(RunPass(ctx, off, PassMode::kRepair).ok());
  const drift::DriftOpened opened = drift::DecodeDriftOpened(Stream(f).back().payload).value();
  EXPECT_EQ(opened.last_in_sync_at_us, confirmed_at) << "the book's time, later than the log's";
  EXPECT_EQ(opened.first_seen_at_us, f.clock.NowMicros());
}

TEST(DriftRecords, TheBookRefusesAFileThatIsNotABook) {
  testing::TempDir dir;
  testing::WriteFile(dir / "garbage.db", "this is not sqlite at all, just text that is long enough......");
  auto garbage = SqliteConfirmationBook::Open((dir / "garbage.db").string());
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.status().message().find("garbage.db is not a seam confirmation book"), std::string::npos)
      << garbage.status().message();
  std::filesystem::create_directory(dir / "a-directory");
  auto directory = SqliteConfirmationBook::Open((dir / "a-directory").string());
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.status().message().find("not a regular file"), std::string::npos);
  // Another application's SQLite file (an event log) is refused too, and left unchanged.
  SqliteOpenOptions options;
  options.create_if_missing = true;
  ASSERT_TRUE(SqliteEventStore::Open((dir / "events.db").string(), options).ok());
  const std::string bytes = testing::ReadFile(dir / "events.db");
  auto log = SqliteConfirmationBook::Open((dir / "events.db").string());
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().message().find("another SQLite file"), std::string::npos) << log.status().message();
  EXPECT_EQ(testing::ReadFile(dir / "events.db"), bytes);
}

TEST(DriftRecords, AnAdoptionFromTheAuthorityClosesItsDriftAsAdopted) {
  SeamFixture f("authority = \"cli\"");
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  f.SetCliToken("set-by-the-cli-owner");
  // Seen first while repairs were off: the drift is open.
  ASSERT_TRUE(RunPass(ctx, WithPolicy(f.seam(), RepairPolicy::kOff), PassMode::kRepair).ok());
  ASSERT_EQ(Stream(f).back().type, drift::kDriftOpened);
  // Then repairs are allowed: the authority's value is adopted; the gateway follows it.
  auto report = RunPass(ctx, f.seam(), PassMode::kRepair);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->status, "in_sync");
  const std::vector<Event> events = Stream(f);
  bool cli_closed = false;
  for (const Event& e : events) {
    if (e.type != drift::kDriftClosed) continue;
    const drift::DriftClosed c = drift::DecodeDriftClosed(e.payload).value();
    if (c.side == "cli") {
      cli_closed = true;
      EXPECT_EQ(c.how, "adopted");
      EXPECT_EQ(c.cause, "TokenAdopted from side cli by test-actor");
    } else {
      EXPECT_EQ(c.how, "repaired") << "the gateway was written after the adoption";
    }
  }
  EXPECT_TRUE(cli_closed);
}

// The SQLite store, except that once armed its stream reads fail after the next append
// succeeds: a catch-up read that fails after the drift is already in the log.
class ReadsFailAfterAppend final : public EventStore {
 public:
  explicit ReadsFailAfterAppend(EventStore& real) : real_(real) {}
  bool armed = false;

  using EventStore::Append;
  Result<AppendResult> Append(const std::string& stream, std::int64_t expected_version,
                              const std::vector<EventDraft>& events, const AppendFence& fence) override {
    Result<AppendResult> appended = real_.Append(stream, expected_version, events, fence);
    if (appended.ok() && armed) failing_ = true;
    return appended;
  }
  Result<std::vector<Event>> ReadStream(const std::string& stream, std::int64_t from_version) override {
    if (failing_) return Status::Unavailable("reading the stream failed (injected)");
    return real_.ReadStream(stream, from_version);
  }
  Status ScanStream(const std::string& stream, std::int64_t from_version,
                    const std::function<Status(const Event&)>& visit) override {
    if (failing_) return Status::Unavailable("reading the stream failed (injected)");
    return real_.ScanStream(stream, from_version, visit);
  }
  Result<std::vector<Event>> ReadAll(std::int64_t from_seq, std::int64_t limit) override {
    return real_.ReadAll(from_seq, limit);
  }
  Result<std::int64_t> StreamVersion(const std::string& stream) override { return real_.StreamVersion(stream); }
  Result<LogHead> Head() override { return real_.Head(); }
  Result<VerifyReport> Verify() override { return real_.Verify(); }
  Result<std::unique_ptr<AppendWatch>> WatchAppends(std::int64_t after_seq,
                                                    std::function<void(std::int64_t)> on_append) override {
    return real_.WatchAppends(after_seq, std::move(on_append));
  }
  void Heal() { failing_ = armed = false; }

 private:
  EventStore& real_;
  bool failing_ = false;
};

// "drifted" is said once the DriftOpened is in the log, even when the read after the append
// fails: the next pass replays the drift and says nothing, so saying it later would never
// happen (and a full disk, where the append fails, says nothing: AppendThenSay).
TEST(DriftRecords, ADriftIsSaidOnceItIsRecordedEvenIfTheReadAfterFails) {
  SeamFixture f;
  ReadsFailAfterAppend store(*f.store);
  SeamContext ctx{store, *f.keys, f.clock, "test-actor"};
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  const SeamConfig off = WithPolicy(f.seam(), RepairPolicy::kOff);
  f.SetCliToken("hand-edited");
  f.clock.Advance(3 * kSecond);

  std::ostringstream said;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(said);
  auto log = ReconcileLog();
  log->sinks().push_back(sink);
  const auto old_level = log->level();
  log->set_level(spdlog::level::info);

  store.armed = true;
  auto failed = RunPass(ctx, off, PassMode::kRepair);
  store.Heal();
  auto again = RunPass(ctx, off, PassMode::kRepair);

  log->sinks().pop_back();
  log->set_level(old_level);
  ASSERT_TRUE(failed.ok()) << failed.status().ToString();
  ASSERT_FALSE(failed->errors.empty());  // the catch-up read's failure, reported
  EXPECT_NE(failed->errors.front().find("injected"), std::string::npos) << failed->errors.front();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->events_appended, 0);
  EXPECT_EQ(Stream(f).back().type, drift::kDriftOpened);
  const std::string lines = said.str();
  const std::string drifted = "seam device-token: side cli drifted: foreign";
  ASSERT_NE(lines.find(drifted), std::string::npos) << lines;
  EXPECT_EQ(lines.find(drifted, lines.find(drifted) + 1), std::string::npos) << lines;
}

}  // namespace
}  // namespace seam

namespace seam {
namespace {

// seamd keeps each seam's replayed state between passes (PassOptions::state): later passes
// catch up from it, and a stream that went back (a log restored from a backup) is replayed
// from the start rather than trusted.
TEST(KeptState, PassesCatchUpFromAKeptStateAndReplayAStreamThatWentBack) {
  testing::SeamFixture f;
  SeamContext ctx = f.Context();
  ASSERT_TRUE(IssueToken(ctx, f.seam()).ok());
  RecordState kept(*FindKindSpec("token"));
  PassOptions options;
  options.state = &kept;
  ASSERT_TRUE(RunPass(ctx, f.seam(), PassMode::kRepair, {}, options).ok());
  EXPECT_EQ(kept.stream_version, 3);
  ASSERT_TRUE(RotateToken(ctx, f.seam()).ok());
  f.SetCliToken("edited");
  auto report = RunPass(ctx, f.seam(), PassMode::kRepair, {}, options);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->intended_version, 4);
  EXPECT_EQ(report->status, "in_sync");
  EXPECT_EQ(kept.stream_version, f.store->StreamVersion("token/device-42").value());

  // Another log where the same stream is shorter: the kept state is dropped, not trusted.
  testing::SeamFixture other;
  SeamContext other_ctx = other.Context();
  ASSERT_TRUE(IssueToken(other_ctx, other.seam()).ok());
  auto replayed = RunPass(other_ctx, other.seam(), PassMode::kCheck, {}, options);
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_EQ(replayed->intended_version, 1);
  EXPECT_EQ(replayed->status, "in_sync");
  EXPECT_EQ(kept.stream_version, 3);
}

}  // namespace
}  // namespace seam
