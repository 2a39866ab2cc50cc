// The real seamctl on a PostgreSQL store (`[store] url = "postgresql://…"`), against the run's
// throwaway server (tests/support/throwaway_postgres.h), a fresh database per test: the story
// (init, issue, drift, repair, verify, log, audit), a second host sharing the log only with the
// same key file, an unreachable database, a least-privilege role for seam, tampering by the
// database's superuser, and a crash inside the append.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "store/open.h"
#include "tests/e2e/pg_fixture.h"
#include "tests/e2e/tls_peer.h"
#include "tests/support/documented_grants.h"

namespace seam::e2e {
namespace {

using PgStoreTest = OnPostgres<SeamctlTest>;

TEST_F(PgStoreTest, TheStoryRunsOnPostgresAndNoSecretReachesTheDatabase) {
  WriteConfig(WithStore(server_->Url(db_)));
  WriteFreshSides();
  ProcessResult init = Seamctl({"init"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_TRUE(Contains(init.out, "created event log postgresql://seam_admin@socket ")) << init.out;
  EXPECT_TRUE(Contains(init.out, "created key file " + KeyFile().string() + " (fp:")) << init.out;
  EXPECT_FALSE(fs::exists(DbFile()));  // the log is in the database, only the key and the index are local

  ProcessResult issue = Seamctl({"token", "issue", kSeam});
  ASSERT_EQ(issue.exit_code, 0) << issue.out << issue.err;
  const std::string token = CliToken().value_or("");
  ASSERT_FALSE(token.empty());
  ProcessResult rotate = Seamctl({"token", "rotate", kSeam});
  ASSERT_EQ(rotate.exit_code, 0) << rotate.out << rotate.err;
  const std::string rotated = CliToken().value_or("");
  EXPECT_NE(rotated, token);

  SetCliToken("edited-by-hand-edited-by-hand-edited-by-han");
  EXPECT_EQ(Seamctl({"check"}).exit_code, 1);
  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_EQ(CliToken(), rotated);
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
  ProcessResult verify = Seamctl({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;

  const std::vector<std::string> types = EventTypes(LogEvents());
  ASSERT_GE(types.size(), 4u);
  EXPECT_EQ(types.front(), "TokenIssued");
  EXPECT_EQ(std::count(types.begin(), types.end(), "TokenRotated"), 1);
  EXPECT_EQ(std::count(types.begin(), types.end(), "DriftOpened"), 1);
  ProcessResult audit = Seamctl({"audit", kSeam});
  EXPECT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_EQ(Query("SELECT count(*) FROM seam_events"), std::to_string(types.size()) + "\n");

  // The canary: neither token, nor the hand edit, is anywhere in the database or any output.
  const std::string dump = Query("SELECT encode(payload, 'escape') || ' ' || actor || ' ' || type FROM seam_events") +
                           Query("SELECT * FROM seam_meta") + Query("SELECT * FROM seam_confirmations");
  for (const std::string& secret : {token, rotated, std::string("edited-by-hand-edited-by-hand")}) {
    EXPECT_FALSE(Contains(dump, secret));
    for (const ProcessResult& r : transcript_) EXPECT_FALSE(Contains(r.out + r.err, secret));
  }
}

TEST_F(PgStoreTest, ASecondHostSharesTheLogOnlyWithTheKeyFileOfTheFirst) {
  ASSERT_NO_FATAL_FAILURE(InitOnPostgres());
  ASSERT_EQ(Seamctl({"token", "issue", kSeam}).exit_code, 0);

  // Host B: its own directory, the same database, no key file yet: init must not mint one.
  seam::testing::TempDir host_b;
  const fs::path config_b = host_b / "seam.toml";
  std::ofstream(config_b) << WithStore(server_->Url(db_));
  ProcessResult refused = SeamctlRaw({"-c", config_b.string(), "init"});
  EXPECT_TRUE(IsCleanError(refused, "key file " + (host_b / ".seam/key").string() +
                                        " is missing, and the event log postgresql://")) << refused.err;
  EXPECT_TRUE(Contains(refused.err, "is sealed with key fp:")) << refused.err;
  EXPECT_FALSE(fs::exists(host_b / ".seam/key"));

  // Another key: refused by every command that would seal or open with it.
  fs::create_directories(host_b / ".seam");
  std::ofstream(host_b / ".seam/key", std::ios::binary) << std::string(32, 'x');
  fs::permissions(host_b / ".seam/key", fs::perms::owner_read | fs::perms::owner_write);
  for (const char* cmd : {"init", "check", "log"}) {
    ProcessResult other = SeamctlRaw({"-c", config_b.string(), cmd});
    EXPECT_TRUE(IsCleanError(other, "but the event log postgresql://")) << cmd << ": " << other.err;
  }

  // The first host's key, copied: B reads and verifies the same chain.
  fs::copy_file(KeyFile(), host_b / ".seam/key", fs::copy_options::overwrite_existing);
  ProcessResult joined = SeamctlRaw({"-c", config_b.string(), "init"});
  EXPECT_EQ(joined.exit_code, 0) << joined.err;
  EXPECT_TRUE(Contains(joined.out, "kept existing event log postgresql://")) << joined.out;
  EXPECT_EQ(SeamctlRaw({"-c", config_b.string(), "verify"}).exit_code, 0);
  ProcessResult log_b = SeamctlRaw({"-c", config_b.string(), "log", "--seam", kSeam});
  EXPECT_EQ(log_b.exit_code, 0) << log_b.err;
  EXPECT_TRUE(Contains(log_b.out, "TokenIssued")) << log_b.out;
}

TEST_F(PgStoreTest, AnUnreachableDatabaseIsOneLineExitTwoWithoutThePassword) {
  WriteConfig(WithStore("postgresql://seam:hunter2@/seam?host=" + (Root() / "no-server").string()));
  WriteFreshSides();
  // A key file, so that the commands that need one get as far as the database.
  fs::create_directories(Root() / ".seam");
  std::ofstream(KeyFile(), std::ios::binary) << std::string(32, 'k');
  fs::permissions(KeyFile(), fs::perms::owner_read | fs::perms::owner_write);
  const Snapshot before = TakeSnapshot(Root());
  for (const char* cmd : {"init", "check", "verify", "repair"}) {
    ProcessResult r = Seamctl({cmd});
    EXPECT_TRUE(IsCleanError(r, "cannot connect to postgresql://seam@socket " + (Root() / "no-server").string()))
        << cmd << ": " << r.err;
    EXPECT_FALSE(Contains(r.out + r.err, "hunter2"));
  }
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

TEST_F(PgStoreTest, APasswordFileIsUsedAndNeverShown) {
  ASSERT_EQ(Query("CREATE ROLE seam_pw LOGIN PASSWORD 'hunter2-secret'"), "");
  // The socket trusts every role; a URL with a wrong password still connects. What is tested
  // here is that the file is read, checked and never echoed.
  std::ofstream(Root() / "pg-password") << "hunter2-secret\n";
  WriteConfig(WithStore(server_->Url(db_), "password_file = \"pg-password\"\n"));
  WriteFreshSides();
  ProcessResult init = Seamctl({"init"});
  EXPECT_EQ(init.exit_code, 0) << init.err;
  std::ofstream(Root() / "pg-password") << "two\nlines\n";
  ProcessResult bad = Seamctl({"check"});
  EXPECT_TRUE(IsCleanError(bad, "password_file " + (Root() / "pg-password").string() +
                                    " must hold the password alone, on one line")) << bad.err;
  for (const ProcessResult& r : transcript_) EXPECT_FALSE(Contains(r.out + r.err, "hunter2-secret"));
}

TEST_F(PgStoreTest, ALeastPrivilegeRoleRunsSeamAndCannotRewriteTheLog) {
  // The administrator makes the schema; seam's agents run as a role that may only read the log
  // and call seam_append (docs/log-format.md "PostgreSQL").
  ASSERT_NO_FATAL_FAILURE(InitOnPostgres());
  const std::string grants = testing::DocumentedGrants("seam_agent");
  ASSERT_NE(grants, "");
  ASSERT_EQ(Query(grants), "");
  std::string url = server_->Url(db_);
  url.replace(url.rfind("seam_admin"), 10, "seam_agent");
  WriteConfig(WithStore(url));
  ProcessResult issue = Seamctl({"token", "issue", kSeam});
  ASSERT_EQ(issue.exit_code, 0) << issue.out << issue.err;
  ASSERT_EQ(Seamctl({"token", "rotate", kSeam}).exit_code, 0);
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);

  std::string out;
  EXPECT_NE(server_->Psql("UPDATE seam_events SET actor = 'mallory'", db_, &out, "seam_agent"), "");
  EXPECT_TRUE(Contains(out, "permission denied")) << out;
  EXPECT_NE(server_->Psql("DELETE FROM seam_events", db_, &out, "seam_agent"), "");
  EXPECT_NE(server_->Psql("INSERT INTO seam_events SELECT seq + 100, stream, version + 100, type, time_us, actor, "
                          "payload, prev_hash, hash FROM seam_events WHERE seq = 1",
                          db_, &out, "seam_agent"),
            "");
  EXPECT_NE(server_->Psql("UPDATE seam_head SET seq = 0", db_, &out, "seam_agent"), "");
  // The owner itself is stopped by the triggers.
  EXPECT_NE(server_->Psql("DELETE FROM seam_events WHERE seq = 1", db_, &out), "");
  EXPECT_TRUE(Contains(out, "seam_events is append-only: DELETE refused")) << out;
  EXPECT_NE(server_->Psql("TRUNCATE seam_events", db_, &out), "");
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
}

TEST_F(PgStoreTest, TamperingByTheSuperuserIsCaughtByVerify) {
  ASSERT_NO_FATAL_FAILURE(InitOnPostgres());
  ASSERT_EQ(Seamctl({"token", "issue", kSeam}).exit_code, 0);
  ASSERT_EQ(Seamctl({"token", "rotate", kSeam}).exit_code, 0);
  ProcessResult head = Seamctl({"head", "--json"});
  ASSERT_EQ(head.exit_code, 0) << head.err;
  const nlohmann::json head_json = nlohmann::json::parse(head.out);
  const std::string kept = std::to_string(head_json["seq"].get<std::int64_t>()) + ":" + head_json["hash"].get<std::string>();
  const std::string last = Query("SELECT max(seq) FROM seam_events");

  // A rewritten actor: the row fails its hash.
  ASSERT_EQ(Query("ALTER TABLE seam_events DISABLE TRIGGER seam_events_no_update;"
                  "UPDATE seam_events SET actor = 'mallory' WHERE seq = 2;"
                  "ALTER TABLE seam_events ENABLE TRIGGER seam_events_no_update;"),
            "");
  ProcessResult edited = Seamctl({"verify"});
  EXPECT_NE(edited.exit_code, 0);
  EXPECT_TRUE(Contains(edited.out + edited.err, "seq 2")) << edited.out << edited.err;

  // Put back, then the tail cut off and the head row moved back to match: the chain left is
  // intact, and only the head kept outside the log tells.
  ASSERT_EQ(Query("ALTER TABLE seam_events DISABLE TRIGGER seam_events_no_update;"
                  "UPDATE seam_events SET actor = 'e2e' WHERE seq = 2;"
                  "DELETE FROM seam_events WHERE seq = " + last.substr(0, last.size() - 1) + ";"
                  "UPDATE seam_head SET seq = e.seq, hash = e.hash FROM (SELECT seq, hash FROM seam_events "
                  "ORDER BY seq DESC LIMIT 1) e;"
                  "ALTER TABLE seam_events ENABLE TRIGGER seam_events_no_update;"),
            "");
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
  ProcessResult cut = Seamctl({"verify", "--head", kept});
  EXPECT_NE(cut.exit_code, 0) << cut.out;
  EXPECT_TRUE(Contains(cut.out + cut.err, "seq " + last.substr(0, last.size() - 1))) << cut.out << cut.err;
}

TEST_F(PgStoreTest, AWriterKilledInsideItsAppendLeavesAWholeEventOrNone) {
  ASSERT_NO_FATAL_FAILURE(InitOnPostgres());
  ASSERT_EQ(Seamctl({"token", "issue", kSeam}).exit_code, 0);
  const std::string before = Query("SELECT count(*) FROM seam_events");

  // Killed before its append reached the server: nothing in the log, the sides untouched.
  const std::optional<std::string> token = CliToken();
  ProcessResult killed = Seamctl({"token", "rotate", kSeam}, {{"SEAM_FAULT", "pg-before-append"}});
  EXPECT_EQ(killed.exit_code, 128 + 9);
  EXPECT_EQ(Query("SELECT count(*) FROM seam_events"), before);
  EXPECT_EQ(CliToken(), token);

  // Killed after the commit, before it was told: the intent is whole in the log, never
  // acknowledged, and the next repair finishes it.
  ProcessResult committed = Seamctl({"token", "rotate", kSeam}, {{"SEAM_FAULT", "pg-after-append"}});
  EXPECT_EQ(committed.exit_code, 128 + 9);
  EXPECT_TRUE(committed.out.empty()) << committed.out;
  EXPECT_EQ(Query("SELECT count(*) FROM seam_events WHERE type = 'TokenRotated'"), "1\n");
  ProcessResult repair = Seamctl({"repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_NE(CliToken(), token);
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
}

TEST_F(PgStoreTest, StoreCopyMovesTheChainByteForByteAndBack) {
  // A log that grew on SQLite: issue, rotate, a drift repaired.
  ASSERT_NO_FATAL_FAILURE(InitAndIssue());
  ASSERT_EQ(Seamctl({"token", "rotate", kSeam}).exit_code, 0);
  SetCliToken("edited-by-hand-edited-by-hand-edited-by-han");
  ASSERT_EQ(Seamctl({"repair"}).exit_code, 0);
  ProcessResult head = Seamctl({"head", "--json"});
  ASSERT_EQ(head.exit_code, 0) << head.err;
  const nlohmann::json kept = nlohmann::json::parse(head.out);
  const std::string kept_arg = std::to_string(kept["seq"].get<std::int64_t>()) + ":" + kept["hash"].get<std::string>();
  const std::string sqlite_log = Seamctl({"log", "--json"}).out;

  ProcessResult copy = Seamctl({"store", "copy", "--to", server_->Url(db_)});
  ASSERT_EQ(copy.exit_code, 0) << copy.out << copy.err;
  EXPECT_TRUE(Contains(copy.out, "copied " + std::to_string(kept["seq"].get<std::int64_t>()) + " events from " +
                                     DbFile().string() + " to postgresql://")) << copy.out;
  EXPECT_TRUE(Contains(copy.out, "both verify to head seq")) << copy.out;
  // Into a log that is not empty: refused, nothing added.
  ProcessResult again = Seamctl({"store", "copy", "--to", server_->Url(db_)});
  EXPECT_TRUE(IsCleanError(again, "already holds " + std::to_string(kept["seq"].get<std::int64_t>()) +
                                      " events; a copy is written only into an empty log")) << again.err;

  // The same config on the database: same events, same head, same key file (.seam/key).
  WriteConfig(WithStore(server_->Url(db_)));
  EXPECT_EQ(Seamctl({"verify", "--head", kept_arg}).exit_code, 0);
  EXPECT_EQ(Seamctl({"log", "--json"}).out, sqlite_log);
  EXPECT_EQ(Seamctl({"check"}).exit_code, 0);
  ASSERT_EQ(Seamctl({"token", "rotate", kSeam}).exit_code, 0);
  // An event an owning agent appended fenced by its lease's epoch (hash input v2): it must come
  // back with its epoch and its hash.
  {
    Result<StoreConfig> config = StoreFromUrl(server_->Url(db_), Root().string());
    ASSERT_TRUE(config.ok());
    Result<std::unique_ptr<Store>> store = store::Open(*config);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    Result<std::unique_ptr<OwnershipLeases>> leases = (*store)->OpenOwnership();
    ASSERT_TRUE(leases.ok()) << leases.status().ToString();
    ASSERT_TRUE((*leases)->Claim(LeaseHolder{"gw1", "p1"}, {"probe/fenced"}, std::chrono::milliseconds(1500)).ok());
    ASSERT_TRUE((*store)->Log().Append("probe/fenced", 0, {EventDraft{"ProbeFenced", "seamd:gw1", 1, "p"}},
                                       AppendFence{1}).ok());
  }
  EXPECT_TRUE(Contains(Seamctl({"log", "--json"}).out, R"("stream":"probe/fenced","version":1,"epoch":1)"));

  // A backup of the shared log is an SQLite file holding the same chain; it never restores over
  // a database that holds a log.
  ProcessResult backup = Seamctl({"backup", "pg-backup.db"});
  ASSERT_EQ(backup.exit_code, 0) << backup.out << backup.err;
  EXPECT_TRUE(Contains(backup.out, " to " + (Root() / "pg-backup.db").string() + "; verified: head seq ")) << backup.out;
  ProcessResult over = Seamctl({"store", "restore", "--from", "pg-backup.db"});
  EXPECT_TRUE(IsCleanError(over, "events; a copy is written only into an empty log")) << over.err;

  // And back into a new SQLite file (in a directory that exists), whose key file is not there
  // yet: said so.
  fs::create_directories(Root() / "back");
  ProcessResult back = Seamctl({"store", "copy", "--to", "sqlite:back/events.db"});
  ASSERT_EQ(back.exit_code, 0) << back.out << back.err;
  EXPECT_TRUE(Contains(back.out, "copy it to " + (Root() / "back/key").string())) << back.out;
  const std::string pg_log = Seamctl({"log", "--json"}).out;
  fs::copy_file(KeyFile(), Root() / "back/key");
  WriteConfig(StandardConfig());
  ProcessResult from_back = Seamctl({"log", "--json"}, {{"SEAM_STORE_URL", "sqlite:back/events.db"}});
  EXPECT_EQ(from_back.out, pg_log);
  EXPECT_EQ(Seamctl({"verify"}, {{"SEAM_STORE_URL", "sqlite:back/events.db"}}).exit_code, 0);
  fs::copy_file(KeyFile(), Root() / "key");  // beside the backup, where sqlite:FILE looks for it
  EXPECT_EQ(Seamctl({"log", "--json"}, {{"SEAM_STORE_URL", "sqlite:pg-backup.db"}}).out, pg_log);
}

// Over TCP with sslmode=verify-full against a server certificate this test makes (a CA of its
// own, the server's name `localhost`), on a server of its own listening on 127.0.0.1.
TEST_F(SeamctlTest, PostgresOverTlsWithVerifyFullAndTheRefusalsItBrings) {
  seam::testing::ThrowawayPostgres server;
  server.ListenOnLoopback(FreeLoopbackPort());
  ASSERT_EQ(server.Start(), "");
  const fs::path pki = Root() / "pki";
  fs::create_directories(pki);
  auto openssl = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv{"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions options;
    options.cwd = pki;
    ProcessResult r = RunProcess(argv, options);
    EXPECT_EQ(r.exit_code, 0) << r.err;
  };
  for (const std::string ca : {"ca", "other-ca"}) {
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", ca + ".key",
             "-out", ca + ".pem", "-days", "2", "-subj", "/CN=" + ca});
  }
  openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "server.key", "-out",
           "server.csr", "-subj", "/CN=localhost"});
  std::ofstream(pki / "san.ext") << "subjectAltName = DNS:localhost\n";
  openssl({"x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
           "server.pem", "-days", "2", "-extfile", "san.ext"});
  const std::string cert = server.CopyIn(pki / "server.pem", "server.pem");
  const std::string key = server.CopyIn(pki / "server.key", "server.key");
  ASSERT_FALSE(cert.empty() || key.empty());
  ASSERT_EQ(server.Psql("ALTER SYSTEM SET ssl_cert_file = '" + cert + "'"), "");
  ASSERT_EQ(server.Psql("ALTER SYSTEM SET ssl_key_file = '" + key + "'"), "");
  ASSERT_EQ(server.Psql("ALTER SYSTEM SET ssl = on"), "");
  ASSERT_EQ(server.Psql("SELECT pg_reload_conf()"), "");

  auto url = [&](const std::string& host, const std::string& root) {
    return "postgresql://seam_admin@" + host + ":" + std::to_string(server.port()) +
           "/postgres?sslmode=verify-full&sslrootcert=" + (pki / root).string();
  };
  auto config = [&](const std::string& store_url) {
    std::string text = StandardConfig();
    const std::string old = "[store]\npath = \".seam/events.db\"\n";
    text.replace(text.find(old), old.size(), "[store]\nurl = \"" + store_url + "\"\n");
    WriteConfig(text);
  };
  WriteFreshSides();
  config(url("localhost", "ca.pem"));
  // pg_reload_conf() returns before the server has loaded the new settings.
  ProcessResult init;
  for (int i = 0; i < 50; ++i) {
    init = Seamctl({"init"});
    if (init.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_TRUE(Contains(init.out, "created event log postgresql://seam_admin@localhost:" +
                                     std::to_string(server.port()) + "/postgres")) << init.out;
  ASSERT_EQ(Seamctl({"token", "issue", kSeam}).exit_code, 0);
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);

  // A name the certificate does not carry, and a CA that did not sign it: one line each, exit 2.
  config(url("127.0.0.1", "ca.pem"));
  ProcessResult name = Seamctl({"check"});
  EXPECT_TRUE(IsCleanError(name, "cannot connect to postgresql://seam_admin@127.0.0.1:")) << name.err;
  EXPECT_TRUE(Contains(name.err, "does not match host name")) << name.err;
  config(url("localhost", "other-ca.pem"));
  ProcessResult ca = Seamctl({"check"});
  EXPECT_TRUE(IsCleanError(ca, "cannot connect to postgresql://seam_admin@localhost:")) << ca.err;
  EXPECT_TRUE(Contains(ca.err, "certificate verify failed")) << ca.err;
}

}  // namespace
}  // namespace seam::e2e
