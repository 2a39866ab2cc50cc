// Ownership leases (core/ownership.h) and fenced appends (AppendFence) on PostgreSQL, against the
// run's throwaway server (a database per test): who holds a lease, when the epoch moves, appends
// refused under a stale or expired epoch with nothing written, agents racing for one stream, and
// a schema-1 database migrated by `init` with its chain unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "core/hash_chain.h"
#include "store/open.h"
#include "store/postgres/pg_conn.h"
#include "store/postgres/pg_schema.h"
#include "tests/support/documented_grants.h"
#include "tests/support/throwaway_postgres.h"

namespace seam {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

LeaseHolder Holder(const std::string& agent, const std::string& instance = "") {
  return LeaseHolder{agent, instance.empty() ? "p-" + agent : instance};
}

EventDraft Draft(std::string type) { return EventDraft{std::move(type), "seamd:gw1", 1'700'000'000'000'000, "p"}; }

class PgOwnershipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::ThrowawayPostgres::ForTests(&error);
    ASSERT_NE(server_, nullptr) << error;
    db_ = server_->NewDatabase("owners");
    ASSERT_FALSE(db_.empty());
    Result<StoreConfig> parsed = StoreFromUrl(server_->Url(db_), "/nonexistent");
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    config_ = *parsed;
    store_ = OpenOrFail();
    ASSERT_NE(store_, nullptr);
  }

  std::unique_ptr<Store> OpenOrFail(store::OpenOptions options = {.create_if_missing = true}) {
    Result<std::unique_ptr<Store>> opened = store::Open(config_, options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(*opened) : nullptr;
  }

  std::unique_ptr<OwnershipLeases> Leases() {
    Result<std::unique_ptr<OwnershipLeases>> leases = store_->OpenOwnership();
    EXPECT_TRUE(leases.ok()) << leases.status().ToString();
    return leases.ok() ? std::move(*leases) : nullptr;
  }

  // The one lease `agent`'s claim on `stream` reports (one process per agent unless `instance`).
  static OwnerLease ClaimOne(OwnershipLeases& leases, const std::string& agent, const std::string& stream,
                             std::chrono::milliseconds lease = 1500ms, const std::string& instance = "") {
    Result<std::vector<OwnerLease>> got = leases.Claim(Holder(agent, instance), {stream}, lease);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok() || got->size() != 1) {
      ADD_FAILURE() << "expected one lease for " << stream;
      return OwnerLease{};
    }
    return got->front();
  }

  testing::ThrowawayPostgres* server_ = nullptr;
  std::string db_;
  StoreConfig config_;
  std::unique_ptr<Store> store_;
};

TEST_F(PgOwnershipTest, TheFirstClaimTakesEpochOneRenewalsKeepItAnotherAgentIsToldWhoHoldsIt) {
  auto gw1 = Leases();
  auto gw2 = Leases();
  ASSERT_TRUE(gw1 && gw2);

  const OwnerLease first = ClaimOne(*gw1, "gw1", "token/a");
  EXPECT_EQ(first.agent, "gw1");
  EXPECT_EQ(first.epoch, 1);
  EXPECT_TRUE(first.held());
  EXPECT_NEAR(static_cast<double>(first.expires_at_us - first.store_now_us), 1.5e6, 0.2e6);

  std::this_thread::sleep_for(50ms);
  const OwnerLease renewed = ClaimOne(*gw1, "gw1", "token/a");
  EXPECT_EQ(renewed.epoch, 1);
  EXPECT_GT(renewed.expires_at_us, first.expires_at_us);

  const OwnerLease refused = ClaimOne(*gw2, "gw2", "token/a");
  EXPECT_EQ(refused.agent, "gw1");
  EXPECT_EQ(refused.epoch, 1);
  EXPECT_TRUE(refused.held());

  Result<std::vector<OwnerLease>> all = gw2->List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().agent, "gw1");
}

TEST_F(PgOwnershipTest, AnExpiredLeaseIsTakenWithANewEpochEvenByItsLastHolder) {
  auto gw1 = Leases();
  auto gw2 = Leases();
  ASSERT_TRUE(gw1 && gw2);
  ASSERT_EQ(ClaimOne(*gw1, "gw1", "token/a", 100ms).epoch, 1);
  std::this_thread::sleep_for(200ms);

  const OwnerLease taken = ClaimOne(*gw2, "gw2", "token/a", 100ms);
  EXPECT_EQ(taken.agent, "gw2");
  EXPECT_EQ(taken.epoch, 2);
  std::this_thread::sleep_for(200ms);
  // gw2 paused past its lease: taking it back is a new epoch, not a renewal.
  const OwnerLease again = ClaimOne(*gw2, "gw2", "token/a");
  EXPECT_EQ(again.agent, "gw2");
  EXPECT_EQ(again.epoch, 3);
}

// Two processes under one agent name (seamd restarted while the old one is frozen): the second
// neither renews nor releases the first's lease, and takes it over only once it has run out, with
// a new epoch, so the frozen one's appends are refused when it wakes.
TEST_F(PgOwnershipTest, ASecondProcessUnderTheSameNameTakesOverOnlyAfterExpiryWithANewEpoch) {
  auto old_process = Leases();
  auto new_process = Leases();
  ASSERT_TRUE(old_process && new_process);
  const OwnerLease first = ClaimOne(*old_process, "gw1", "token/a", 400ms, "old");
  ASSERT_EQ(first.epoch, 1);
  EXPECT_EQ(first.instance, "old");

  const OwnerLease refused = ClaimOne(*new_process, "gw1", "token/a", 400ms, "new");
  EXPECT_EQ(refused.instance, "old");
  EXPECT_EQ(refused.epoch, 1);
  EXPECT_EQ(refused.expires_at_us, first.expires_at_us);  // not renewed by the other process
  EXPECT_FALSE(refused.HeldBy(Holder("gw1", "new")));
  ASSERT_TRUE(new_process->Release(Holder("gw1", "new"), {"token/a"}).ok());
  EXPECT_TRUE(ClaimOne(*new_process, "gw1", "token/a", 400ms, "new").HeldBy(Holder("gw1", "old")));

  std::this_thread::sleep_for(500ms);
  const OwnerLease taken = ClaimOne(*new_process, "gw1", "token/a", 1500ms, "new");
  EXPECT_TRUE(taken.HeldBy(Holder("gw1", "new")));
  EXPECT_EQ(taken.epoch, 2);
  Result<AppendResult> frozen = store_->Log().Append("token/a", 0, {Draft("SideRepaired")}, AppendFence{1});
  EXPECT_EQ(frozen.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(frozen.status().message(), HasSubstr("gw1 holds its lease at epoch 2"));
  EXPECT_EQ(store_->Log().Head()->seq, 0);
}

// Heartbeats: each agent's Seen records it and returns every agent in one round trip, with the
// store's clock, so a silent agent's age grows; a second process under a name replaces the first.
TEST_F(PgOwnershipTest, SeenRecordsAnAgentAndReturnsEveryAgentWithItsAge) {
  auto gw1 = Leases();
  auto gw2 = Leases();
  ASSERT_TRUE(gw1 && gw2);
  Result<std::vector<AgentSeen>> first = gw1->Seen(Holder("gw1"), "hash-a");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(first->front().agent, "gw1");
  EXPECT_EQ(first->front().config_hash, "hash-a");
  EXPECT_LT(first->front().silent_s(), 0.1);

  std::this_thread::sleep_for(300ms);
  Result<std::vector<AgentSeen>> both = gw2->Seen(Holder("gw2"), "hash-b");
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  ASSERT_EQ(both->size(), 2u);
  EXPECT_EQ((*both)[0].agent, "gw1");
  EXPECT_GT((*both)[0].silent_s(), 0.25);
  EXPECT_EQ((*both)[1].agent, "gw2");
  EXPECT_EQ((*both)[1].config_hash, "hash-b");
  EXPECT_LT((*both)[1].silent_s(), 0.1);

  Result<std::vector<AgentSeen>> again = gw1->Seen(Holder("gw1", "restarted"), "hash-c");
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 2u);
  EXPECT_EQ((*again)[0].instance, "restarted");
  EXPECT_EQ((*again)[0].config_hash, "hash-c");
  EXPECT_EQ(gw1->Seen(LeaseHolder{"", "p"}, "x").status().code(), StatusCode::kInvalidArgument);
}

// Side observations: one row per (stream, side), the last publisher's, timed by the store's
// clock minus the age the publisher gives; one statement for many; read by every agent.
TEST_F(PgOwnershipTest, PublishedObservationsReplaceEachOtherAndEveryAgentReadsThem) {
  auto gw1 = Leases();
  auto gw2 = Leases();
  ASSERT_TRUE(gw1 && gw2);
  const auto observation = [](const std::string& stream, const std::string& side, const std::string& report,
                              std::int64_t age_us) {
    SideObservation o;
    o.stream = stream;
    o.side = side;
    o.report = report;
    o.age_us = age_us;
    return o;
  };
  ASSERT_TRUE(gw1->Publish(Holder("gw1"), {observation("token/a", "cli", R"({"verdict":"in_sync"})", 2'000'000),
                                           observation("token/a", "shared", R"({"verdict":"lagging"})", 0),
                                           observation("token/a", "shared", R"({"verdict":"in_sync"})", 0)})
                  .ok());
  ASSERT_TRUE(gw2->Publish(Holder("gw2"), {observation("token/a", "gateway", R"({"verdict":"foreign"})", 0)}).ok());
  EXPECT_TRUE(gw2->Publish(Holder("gw2"), {}).ok());
  Result<std::vector<SideObservation>> all = gw2->Observations();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].side, "cli");
  EXPECT_EQ((*all)[0].agent, "gw1");
  const double cli_age = static_cast<double>((*all)[0].store_now_us - (*all)[0].observed_at_us) / 1e6;
  EXPECT_GE(cli_age, 2.0);
  EXPECT_LT(cli_age, 3.0);
  EXPECT_EQ((*all)[1].side, "gateway");
  EXPECT_EQ((*all)[1].agent, "gw2");
  EXPECT_EQ((*all)[2].side, "shared");
  EXPECT_EQ((*all)[2].report, R"({"verdict":"in_sync"})");  // the last of the two in one call
  // The side's owner changed: the new one's observation replaces the old one's.
  ASSERT_TRUE(gw2->Publish(Holder("gw2"), {observation("token/a", "shared", R"({"verdict":"missing"})", 0)}).ok());
  all = gw1->Observations();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[2].agent, "gw2");
  EXPECT_EQ((*all)[2].report, R"({"verdict":"missing"})");
  EXPECT_EQ(gw1->Publish(LeaseHolder{"", "p"}, {observation("s", "x", "{}", 0)}).code(), StatusCode::kInvalidArgument);
}

TEST_F(PgOwnershipTest, AReleasedLeaseIsTakenAtOnceAndReleaseLeavesOthersLeasesAlone) {
  auto gw1 = Leases();
  auto gw2 = Leases();
  ASSERT_TRUE(gw1 && gw2);
  ASSERT_EQ(ClaimOne(*gw1, "gw1", "token/a").epoch, 1);
  ASSERT_TRUE(gw2->Release(Holder("gw2"), {"token/a"}).ok());
  EXPECT_EQ(ClaimOne(*gw2, "gw2", "token/a").agent, "gw1");  // gw2's release was not gw1's

  ASSERT_TRUE(gw1->Release(Holder("gw1"), {"token/a"}).ok());
  const OwnerLease taken = ClaimOne(*gw2, "gw2", "token/a");
  EXPECT_EQ(taken.agent, "gw2");
  EXPECT_EQ(taken.epoch, 2);
}

TEST_F(PgOwnershipTest, OneClaimStatementCoversEveryStreamAndReportsEachOnce) {
  auto gw1 = Leases();
  auto gw2 = Leases();
  ASSERT_TRUE(gw1 && gw2);
  ASSERT_EQ(ClaimOne(*gw2, "gw2", "token/b").agent, "gw2");

  Result<std::vector<OwnerLease>> got = gw1->Claim(Holder("gw1"), {"token/c", "token/a", "token/b", "token/a"}, 1500ms);

  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 3u);
  EXPECT_EQ((*got)[0].stream, "token/a");
  EXPECT_EQ((*got)[0].agent, "gw1");
  EXPECT_EQ((*got)[1].stream, "token/b");
  EXPECT_EQ((*got)[1].agent, "gw2");
  EXPECT_EQ((*got)[2].stream, "token/c");
  EXPECT_EQ((*got)[2].agent, "gw1");
  EXPECT_EQ(gw1->Claim(LeaseHolder{"", "p"}, {"token/a"}, 1500ms).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(gw1->Claim(LeaseHolder{"gw1", ""}, {"token/a"}, 1500ms).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(gw1->Claim(Holder("gw1"), {"token/a"}, 0ms).status().code(), StatusCode::kInvalidArgument);
}

// Agents racing for the same free streams, round after round: each stream goes to exactly one,
// and both are told the same holder.
TEST_F(PgOwnershipTest, AgentsRacingForAStreamAgreeOnOneHolder) {
  auto gw1 = Leases();
  auto gw2 = Leases();
  ASSERT_TRUE(gw1 && gw2);
  for (int round = 0; round < 30; ++round) {
    const std::string stream = "token/race-" + std::to_string(round);
    std::atomic<int> ready{0};
    OwnerLease seen[2];
    auto claim = [&](OwnershipLeases& leases, const std::string& agent, OwnerLease* out) {
      ready.fetch_add(1);
      while (ready.load() < 2) std::this_thread::yield();
      *out = ClaimOne(leases, agent, stream);
    };
    std::thread a(claim, std::ref(*gw1), "gw1", &seen[0]);
    std::thread b(claim, std::ref(*gw2), "gw2", &seen[1]);
    a.join();
    b.join();
    EXPECT_EQ(seen[0].agent, seen[1].agent) << stream;
    EXPECT_EQ(seen[0].epoch, 1) << stream;
    EXPECT_EQ(seen[1].epoch, 1) << stream;
  }
}

TEST_F(PgOwnershipTest, AFencedAppendNeedsTheCurrentEpochOfALiveLease) {
  auto gw1 = Leases();
  auto gw2 = Leases();
  ASSERT_TRUE(gw1 && gw2);
  EventStore& log = store_->Log();
  ASSERT_EQ(ClaimOne(*gw1, "gw1", "token/a", 300ms).epoch, 1);

  Result<AppendResult> mine = log.Append("token/a", 0, {Draft("TokenIssued"), Draft("SideRepaired")}, AppendFence{1});
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  Result<std::vector<Event>> rows = log.ReadAll(1);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].epoch, 1);
  EXPECT_EQ((*rows)[1].epoch, 1);

  // Expired, nobody took over: gw1 (paused past its lease) records nothing.
  std::this_thread::sleep_for(400ms);
  Result<AppendResult> late = log.Append("token/a", 2, {Draft("SideRepaired")}, AppendFence{1});
  EXPECT_EQ(late.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(late.status().message(),
              HasSubstr("fenced off: epoch 1 is not current (gw1 holds its lease at epoch 1, expired)"));

  // Taken over: the old epoch is refused, the new one accepted.
  ASSERT_EQ(ClaimOne(*gw2, "gw2", "token/a").epoch, 2);
  Result<AppendResult> stale = log.Append("token/a", 2, {Draft("SideRepaired")}, AppendFence{1});
  EXPECT_EQ(stale.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(stale.status().message(), HasSubstr("(gw2 holds its lease at epoch 2)"));
  EXPECT_EQ(log.Head()->seq, 2);
  EXPECT_EQ(log.StreamVersion("token/a").value(), 2);
  Result<AppendResult> current = log.Append("token/a", 2, {Draft("SideRepaired")}, AppendFence{2});
  ASSERT_TRUE(current.ok()) << current.status().ToString();
  // A stream nobody owns: a fenced append names that.
  Result<AppendResult> unowned = log.Append("token/b", 0, {Draft("TokenIssued")}, AppendFence{1});
  EXPECT_THAT(unowned.status().message(), HasSubstr("(nobody holds its lease)"));
  // The fence comes before the version check: a fenced-off writer learns it is fenced off.
  Result<AppendResult> both = log.Append("token/a", 0, {Draft("SideRepaired")}, AppendFence{1});
  EXPECT_THAT(both.status().message(), HasSubstr("fenced off"));
  Result<VerifyReport> verified = log.Verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->intact);
  EXPECT_EQ(verified->head_seq, 3);
}

// The documented GRANTs (docs/log-format.md "Least privilege") are enough to claim leases and
// append fenced; the role still cannot touch the log's rows.
TEST_F(PgOwnershipTest, ALeastPrivilegeRoleClaimsLeasesAndAppendsFenced) {
  const std::string grants = testing::DocumentedGrants("seam_owner_agent");
  ASSERT_NE(grants, "");
  ASSERT_EQ(server_->Psql(grants, db_), "");
  std::string url = server_->Url(db_);
  url.replace(url.rfind("seam_admin"), 10, "seam_owner_agent");
  Result<StoreConfig> config = StoreFromUrl(url, "/nonexistent");
  ASSERT_TRUE(config.ok());
  Result<std::unique_ptr<Store>> agent = store::Open(*config);
  ASSERT_TRUE(agent.ok()) << agent.status().ToString();
  Result<std::unique_ptr<OwnershipLeases>> leases = (*agent)->OpenOwnership();
  ASSERT_TRUE(leases.ok()) << leases.status().ToString();
  ASSERT_EQ(ClaimOne(**leases, "gw1", "token/a").epoch, 1);
  Result<AppendResult> fenced = (*agent)->Log().Append("token/a", 0, {Draft("TokenIssued")}, AppendFence{1});
  ASSERT_TRUE(fenced.ok()) << fenced.status().ToString();
  ASSERT_TRUE((*leases)->Release(Holder("gw1"), {"token/a"}).ok());
  ASSERT_TRUE((*leases)->Seen(Holder("gw1"), "hash").ok());
  SideObservation seen;
  seen.stream = "token/a";
  seen.side = "cli";
  seen.report = "{}";
  ASSERT_TRUE((*leases)->Publish(Holder("gw1"), {seen}).ok());
  ASSERT_EQ((*leases)->Observations()->size(), 1u);
  std::string out;
  EXPECT_NE(server_->Psql("UPDATE seam_events SET epoch = 2", db_, &out, "seam_owner_agent"), "");
  EXPECT_THAT(out, HasSubstr("permission denied"));
  // The head lock an append takes after losing the race for the head a few times: the role may
  // take it (through the function), not directly.
  EXPECT_EQ(server_->Psql("BEGIN; SELECT head_seq FROM seam_lock_head(); ROLLBACK;", db_, &out, "seam_owner_agent"), "")
      << out;
  EXPECT_NE(server_->Psql("BEGIN; SELECT seq FROM seam_head FOR UPDATE; ROLLBACK;", db_, &out, "seam_owner_agent"), "");
  EXPECT_THAT(out, HasSubstr("permission denied"));
}

TEST_F(PgOwnershipTest, AStoreOpenedReadOnlyClaimsNothing) {
  std::unique_ptr<Store> reader = OpenOrFail({.read_only = true});
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->OpenOwnership().status().code(), StatusCode::kFailedPrecondition);
}

// A database `init` made with schema 1 (before epochs), holding events: opening it is refused
// with the way out, `init` migrates it in one transaction, and the chain is the one it was.
TEST(PgSchemaMigrationTest, ASchemaOneLogIsMigratedByInitWithItsChainUnchanged) {
  std::string error;
  testing::ThrowawayPostgres* server = testing::ThrowawayPostgres::ForTests(&error);
  ASSERT_NE(server, nullptr) << error;
  const std::string db = server->NewDatabase("schema1");
  Result<std::unique_ptr<pg::Connection>> conn = pg::Connection::Open(server->Url(db));
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  ASSERT_TRUE(pg::CreateSchema(**conn, 1).ok());
  // Two events through schema 1's seam_append, hashed here as seam 1's client hashed them.
  Event e;
  e.stream = "token/a";
  for (int i = 1; i <= 2; ++i) {
    e.prev_hash = e.hash;
    e.seq = i;
    e.version = i;
    e.type = "TokenIssued";
    e.time_us = 1'700'000'000'000'000 + i;
    e.actor = "seamctl:alice@host";
    e.payload = "p";
    e.hash = ComputeEventHash(e);
    pg::Params params;
    params.Text(e.stream).Int(i - 1).Int(i - 1).Hash(e.prev_hash);
    params.TextArray({e.type}).IntArray({e.time_us}).TextArray({e.actor}).BytesArray({e.payload});
    params.BytesArray({std::string(reinterpret_cast<const char*>(e.hash.data()), e.hash.size())});
    Result<pg::Rows> r = (*conn)->Exec("SELECT outcome FROM seam_append($1, $2, $3, $4, $5, $6, $7, $8, $9)", params, "v1 append");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->Text(0, 0), "ok");
  }
  Result<StoreConfig> config = StoreFromUrl(server->Url(db), "/nonexistent");
  ASSERT_TRUE(config.ok());

  Result<std::unique_ptr<Store>> old = store::Open(*config);
  ASSERT_EQ(old.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(old.status().message(), HasSubstr("schema version 1; run `seamctl init` as the role that owns its "
                                                "tables to migrate it to version 4"));

  Result<std::unique_ptr<Store>> migrated = store::Open(*config, {.create_if_missing = true});
  ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
  Result<VerifyReport> report = (*migrated)->Log().Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->reason;
  EXPECT_EQ(report->head_seq, 2);
  EXPECT_EQ(report->head_hash, e.hash);
  std::string version;
  ASSERT_EQ(server->Psql("SELECT value FROM seam_meta WHERE key = 'schema_version'", db, &version), "");
  EXPECT_EQ(version, "4\n");
  Result<std::unique_ptr<OwnershipLeases>> leases = (*migrated)->OpenOwnership();
  ASSERT_TRUE(leases.ok());
  ASSERT_TRUE((*leases)->Claim(Holder("gw1"), {"token/a"}, 1500ms).ok());
  Result<AppendResult> fenced = (*migrated)->Log().Append("token/a", 2, {Draft("TokenRotated")}, AppendFence{1});
  ASSERT_TRUE(fenced.ok()) << fenced.status().ToString();
  EXPECT_TRUE((*migrated)->Log().Verify()->intact);
  SideObservation seen;
  seen.stream = "token/a";
  seen.side = "cli";
  seen.report = "{}";
  EXPECT_TRUE((*leases)->Publish(Holder("gw1"), {seen}).ok());  // version 3's table
  Result<std::unique_ptr<NotifyCursorBook>> cursors = (*migrated)->OpenNotifyCursors();  // version 4's
  ASSERT_TRUE(cursors.ok()) << cursors.status().ToString();
  EXPECT_TRUE((*cursors)->Advance("hook", {{"token/a", 2}}).ok());
  // init again: nothing to do.
  EXPECT_TRUE(store::Open(*config, {.create_if_missing = true}).ok());
}

}  // namespace
}  // namespace seam
