// SQLite-specific behaviour of SqliteEventStore: the file (headers, triggers, WAL), read-only
// opens, locking, and rows edited with SQL. What every EventStore must do is the contract suite
// (event_store_contract.h), which runs on this store in sqlite_event_store_contract_test.cc.
#include "store/sqlite_event_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <random>

#include "tests/support/temp_dir.h"

namespace seam {
namespace {

using ::seam::testing::ReadFile;
using ::seam::testing::TempDir;
using ::seam::testing::WriteFile;
using ::testing::HasSubstr;

// A second connection to the same file, through the raw C API: what another process, or
// someone editing the file behind seam's back, would use.
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                              nullptr),
              SQLITE_OK);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // "" on success, else SQLite's error message.
  std::string Exec(const std::string& sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    std::string msg = rc == SQLITE_OK ? "" : (err != nullptr ? err : "failed");
    sqlite3_free(err);
    return msg;
  }

  std::string QueryText(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    std::string out = "<error>";
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

EventDraft Draft(std::string type, std::string actor = "seamctl:alice@host",
                 std::string payload = std::string("pay\0load\xff", 9)) {
  return EventDraft{std::move(type), std::move(actor), 1'700'000'000'000'000, std::move(payload)};
}

class SqliteEventStoreTest : public ::testing::Test {
 protected:
  std::filesystem::path db_path() const { return dir_ / "events.db"; }

  Result<std::unique_ptr<SqliteEventStore>> Open(bool create, int busy_timeout_ms = 5000) {
    return SqliteEventStore::Open(db_path().string(), {create, busy_timeout_ms});
  }

  static Result<std::unique_ptr<SqliteEventStore>> OpenReadOnly(const std::filesystem::path& p) {
    SqliteOpenOptions options;
    options.read_only = true;
    return SqliteEventStore::Open(p.string(), options);
  }

  // A read-only store on `p`; nullptr (with a test failure) if that fails.
  static std::unique_ptr<SqliteEventStore> ReadOnlyStore(const std::filesystem::path& p) {
    auto r = OpenReadOnly(p);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : nullptr;
  }

  // What every read command does with a read-only store: read everything, verify, close.
  static void ReadEverythingReadOnly(const std::filesystem::path& p, std::int64_t want_events) {
    auto store = ReadOnlyStore(p);
    ASSERT_NE(store, nullptr);
    auto all = store->ReadAll(1);
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    EXPECT_EQ(static_cast<std::int64_t>(all->size()), want_events);
    auto report = store->Verify();
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_TRUE(report->intact) << report->reason;
    EXPECT_EQ(report->events_checked, want_events);
    EXPECT_EQ(store->Head()->seq, want_events);
    EXPECT_TRUE(store->ScanStream("token/a", 1, [](const Event&) { return Status::Ok(); }).ok());
  }

  // A store on db_path(), created if needed; nullptr (with a test failure) if that fails.
  std::unique_ptr<SqliteEventStore> Store(int busy_timeout_ms = 5000) {
    auto r = Open(true, busy_timeout_ms);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : nullptr;
  }

  // Five events: token/a v1..v3 at seq 1, 2, 4; token/b v1..v2 at seq 3, 5.
  void AppendFive(SqliteEventStore& store) {
    ASSERT_TRUE(store.Append("token/a", 0, {Draft("Issued"), Draft("Rotated")}).ok());
    ASSERT_TRUE(store.Append("token/b", 0, {Draft("Issued")}).ok());
    ASSERT_TRUE(store.Append("token/a", 2, {Draft("Rotated")}).ok());
    ASSERT_TRUE(store.Append("token/b", 1, {Draft("Revoked")}).ok());
  }

  // Creates the log and closes it again, so the test's raw edits happen with no store open.
  void CreateLog(bool with_five_events) {
    auto store = Store();
    ASSERT_NE(store, nullptr);
    if (with_five_events) AppendFive(*store);
  }

  // Edits the file behind seam's back, the way someone with write access to it could.
  void DropTriggersAndRun(const std::string& sql) {
    RawDb raw(db_path());
    ASSERT_EQ(raw.Exec("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;"), "");
    ASSERT_EQ(raw.Exec(sql), "");
  }

  VerifyReport VerifyReopened() {
    auto store = Store();
    if (store == nullptr) return {};
    auto report = store->Verify();
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? report.value() : VerifyReport{};
  }

  TempDir dir_;
};

TEST_F(SqliteEventStoreTest, BatchFailingMidwayWritesNothingAndLeavesNoGap) {
  auto store = Store();
  ASSERT_NE(store, nullptr);
  AppendFive(*store);
  RawDb raw(db_path());
  ASSERT_EQ(raw.Exec("CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.type = 'Boom' "
                     "BEGIN SELECT RAISE(ABORT, 'boom'); END;"),
            "");

  auto failed = store->Append("token/c", 0, {Draft("Issued"), Draft("Rotated"), Draft("Boom")});

  EXPECT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr(db_path().string()));
  EXPECT_EQ(store->StreamVersion("token/c").value(), 0);
  EXPECT_EQ(store->Head()->seq, 5);
  auto next = store->Append("token/c", 0, {Draft("Issued")});
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->first_seq, 6);
  EXPECT_TRUE(store->Verify()->intact);
}

TEST_F(SqliteEventStoreTest, TriggersRefuseUpdateAndDeleteOfEvents) {
  auto store = Store();
  ASSERT_NE(store, nullptr);
  AppendFive(*store);
  RawDb raw(db_path());

  EXPECT_THAT(raw.Exec("UPDATE events SET payload = x'00' WHERE seq = 2"),
              HasSubstr("events are append-only"));
  EXPECT_THAT(raw.Exec("DELETE FROM events WHERE seq = 5"), HasSubstr("events are append-only"));

  auto report = store->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact);
  EXPECT_EQ(report->events_checked, 5);
}

TEST_F(SqliteEventStoreTest, VerifyNamesSeqAfterDeletedRow) {
  CreateLog(/*with_five_events=*/true);
  DropTriggersAndRun("DELETE FROM events WHERE seq = 3");

  VerifyReport report = VerifyReopened();

  EXPECT_FALSE(report.intact);
  EXPECT_EQ(report.first_bad_seq, 4);
  EXPECT_EQ(report.reason, "seq gap: expected seq 3, found 4");
}

TEST_F(SqliteEventStoreTest, NewLogHasSeamHeaderWalModeAndMetaRow) {
  CreateLog(/*with_five_events=*/false);
  RawDb raw(db_path());

  EXPECT_EQ(raw.QueryText("PRAGMA application_id"), std::to_string(0x5345414d));
  EXPECT_EQ(raw.QueryText("PRAGMA user_version"), "2");
  EXPECT_EQ(raw.QueryText("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.QueryText("SELECT application FROM seam_meta"), "seam-event-log");
}

TEST_F(SqliteEventStoreTest, OpenRefusesFilesThatAreNotSqliteAndLeavesThemUntouched) {
  std::mt19937 rng(42);
  std::string random(4096, '\0');
  for (char& c : random) c = static_cast<char>(rng() & 0xff);
  for (const std::string& content : {random, std::string("not a database\n")}) {
    WriteFile(db_path(), content);

    auto r = Open(/*create=*/true);

    ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(),
              db_path().string() + " is not a SQLite database; check the event log path");
    EXPECT_EQ(ReadFile(db_path()), content);
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_.path()), {}), 1);
  }
}

TEST_F(SqliteEventStoreTest, OpenRefusesSqliteDatabaseOfAnotherApplicationEvenWithCreate) {
  {
    RawDb raw(db_path());
    ASSERT_EQ(raw.Exec("CREATE TABLE accounts(id INTEGER)"), "");
  }

  auto r = Open(/*create=*/true);

  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr(db_path().string() +
                                               " is not a seam event log (application_id "
                                               "0x00000000, expected 0x5345414d)"));
  RawDb raw(db_path());
  EXPECT_EQ(raw.QueryText("SELECT count(*) FROM sqlite_schema"), "1");
}

TEST_F(SqliteEventStoreTest, OpenRefusesNewerSchemaVersion) {
  CreateLog(/*with_five_events=*/false);
  {
    RawDb raw(db_path());
    ASSERT_EQ(raw.Exec("PRAGMA user_version = 99"), "");
  }

  auto r = Open(/*create=*/false);

  ASSERT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "event log " + db_path().string() +
                " has schema version 99, newer than this seamctl understands (2); upgrade seam");
}

// Schema 1 -> 2 (the epoch column). A schema-1 log is made here as seam 1 made it: schema 2 is
// schema 1 plus one column added last, so dropping that column and the version gives back the
// very table seam 1 created. Read-only opens read it as it is (every event epoch 0) and change
// nothing; the first open for writing migrates it in place, rehashing nothing.
TEST_F(SqliteEventStoreTest, SchemaOneLogIsReadAsItIsAndMigratedByTheFirstWriter) {
  CreateLog(/*with_five_events=*/true);
  Hash head_before{};
  {
    auto store = Open(/*create=*/false);
    ASSERT_TRUE(store.ok());
    head_before = (*store)->Head()->hash;
  }
  {
    RawDb raw(db_path());
    ASSERT_EQ(raw.Exec("ALTER TABLE events DROP COLUMN epoch; PRAGMA user_version = 1;"), "");
  }

  ReadEverythingReadOnly(db_path(), 5);
  {
    RawDb raw(db_path());
    EXPECT_EQ(raw.QueryText("PRAGMA user_version"), "1");
    EXPECT_EQ(raw.QueryText("SELECT count(*) FROM pragma_table_info('events') WHERE name = 'epoch'"), "0");
  }

  auto store = Open(/*create=*/false);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  RawDb raw(db_path());
  EXPECT_EQ(raw.QueryText("PRAGMA user_version"), "2");
  EXPECT_EQ(raw.QueryText("SELECT count(*) FROM events WHERE epoch = 0"), "5");
  auto report = (*store)->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact) << report->reason;
  EXPECT_EQ(report->head_hash, head_before);
  ASSERT_TRUE((*store)->Append("token/a", 3, {Draft("Rotated")}, AppendFence{2, /*check=*/false}).ok());
  EXPECT_TRUE((*store)->Verify()->intact);
  EXPECT_EQ(raw.QueryText("SELECT epoch FROM events WHERE seq = 6"), "2");
}

TEST_F(SqliteEventStoreTest, OpenWithoutCreateRefusesMissingFileAndDoesNotCreateIt) {
  auto r = Open(/*create=*/false);

  ASSERT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "no event log at " + db_path().string() + "; run `seamctl init`");
  EXPECT_FALSE(std::filesystem::exists(db_path()));
}

TEST_F(SqliteEventStoreTest, EmptyFileIsRefusedWithoutCreateAndInitialisedWithCreate) {
  WriteFile(db_path(), "");

  auto refused = Open(/*create=*/false);
  auto created = Open(/*create=*/true);

  ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("is not a seam event log (empty file)"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_TRUE((*created)->Append("token/a", 0, {Draft("Issued")}).ok());
}

TEST_F(SqliteEventStoreTest, OpenRefusesDirectory) {
  std::filesystem::create_directory(db_path());

  auto r = Open(/*create=*/true);

  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("is not a regular file"));
}

TEST_F(SqliteEventStoreTest, WriterHoldingLockPastBusyTimeoutMakesAppendUnavailable) {
  auto store = Store(/*busy_timeout_ms=*/100);
  ASSERT_NE(store, nullptr);
  RawDb other(db_path());
  ASSERT_EQ(other.Exec("BEGIN IMMEDIATE"), "");

  const auto start = std::chrono::steady_clock::now();
  auto r = store->Append("token/a", 0, {Draft("Issued")});
  const auto waited = std::chrono::steady_clock::now() - start;

  ASSERT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(r.status().message(),
              HasSubstr("event log " + db_path().string() +
                        " is locked by another process (busy for 100 ms)"));
  EXPECT_GE(waited, std::chrono::milliseconds(90));
  ASSERT_EQ(other.Exec("ROLLBACK"), "");
  EXPECT_EQ(store->Head()->seq, 0);
  EXPECT_TRUE(store->Append("token/a", 0, {Draft("Issued")}).ok());
}

// --- read-only opens -------------------------------------------------------------------------

TEST_F(SqliteEventStoreTest, ReadOnlyStoreSeesEventsOfAWriterStillOpenAndAfterItClosed) {
  auto writer = Store();
  ASSERT_NE(writer, nullptr);
  AppendFive(*writer);

  auto reader = ReadOnlyStore(db_path());
  ASSERT_NE(reader, nullptr);
  EXPECT_TRUE(reader->read_only());
  EXPECT_FALSE(writer->read_only());
  EXPECT_EQ(reader->ReadAll(1)->size(), 5u);
  EXPECT_EQ(reader->StreamVersion("token/a").value(), 3);
  ASSERT_TRUE(writer->Append("token/a", 3, {Draft("Revoked")}).ok());
  EXPECT_EQ(reader->ReadStream("token/a")->size(), 4u);
  EXPECT_EQ(reader->Head()->hash, writer->Head()->hash);
  EXPECT_TRUE(reader->Verify()->intact);
  reader.reset();
  writer.reset();

  ASSERT_NO_FATAL_FAILURE(ReadEverythingReadOnly(db_path(), 6));
}

TEST_F(SqliteEventStoreTest, AppendOnReadOnlyStoreIsFailedPreconditionAndWritesNothing) {
  CreateLog(/*with_five_events=*/true);
  auto reader = ReadOnlyStore(db_path());
  ASSERT_NE(reader, nullptr);

  auto r = reader->Append("token/a", 3, {Draft("Revoked")});
  auto invalid = reader->Append("", -1, {});

  ASSERT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(), "event log " + db_path().string() + " was opened read-only");
  EXPECT_EQ(invalid.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(reader->Head()->seq, 5);
  auto writer = Store();
  ASSERT_NE(writer, nullptr);
  EXPECT_EQ(writer->StreamVersion("token/a").value(), 3);
}

TEST_F(SqliteEventStoreTest, ReadOnlyOpenOfClosedLogChangesNoByteOfIt) {
  CreateLog(/*with_five_events=*/true);
  const std::string before = ReadFile(db_path());
  ASSERT_FALSE(before.empty());

  ASSERT_NO_FATAL_FAILURE(ReadEverythingReadOnly(db_path(), 5));
  ASSERT_NO_FATAL_FAILURE(ReadEverythingReadOnly(db_path(), 5));

  EXPECT_EQ(ReadFile(db_path()), before);
  // SQLite's WAL reader may leave an empty "-wal" (and the "-shm" index) behind; never data.
  const std::filesystem::path wal = db_path().string() + "-wal";
  if (std::filesystem::exists(wal)) {
    EXPECT_EQ(std::filesystem::file_size(wal), 0u);
  }
}

TEST_F(SqliteEventStoreTest, ReadOnlyOpenNextToLiveWriterChangesNoByteOfDbOrWal) {
  CreateLog(/*with_five_events=*/false);
  auto writer = Store();
  ASSERT_NE(writer, nullptr);
  AppendFive(*writer);  // frames in the WAL, not yet in the database file
  const std::filesystem::path wal = db_path().string() + "-wal";
  const std::string db_before = ReadFile(db_path());
  const std::string wal_before = ReadFile(wal);
  ASSERT_FALSE(wal_before.empty());

  ASSERT_NO_FATAL_FAILURE(ReadEverythingReadOnly(db_path(), 5));

  EXPECT_EQ(ReadFile(db_path()), db_before);
  EXPECT_EQ(ReadFile(wal), wal_before);
}

TEST_F(SqliteEventStoreTest, ReadOnlyStoreClosingLastDoesNotCheckpointTheWal) {
  CreateLog(/*with_five_events=*/false);
  auto writer = Store();
  ASSERT_NE(writer, nullptr);
  AppendFive(*writer);
  auto reader = ReadOnlyStore(db_path());
  ASSERT_NE(reader, nullptr);
  ASSERT_EQ(reader->ReadAll(1)->size(), 5u);
  writer.reset();  // the reader's shared lock keeps the writer from checkpointing on close
  const std::filesystem::path wal = db_path().string() + "-wal";
  const std::string db_before = ReadFile(db_path());
  const std::string wal_before = ReadFile(wal);
  ASSERT_FALSE(wal_before.empty());

  EXPECT_TRUE(reader->Verify()->intact);
  reader.reset();  // now the last connection: a writer would checkpoint here

  EXPECT_EQ(ReadFile(db_path()), db_before);
  EXPECT_EQ(ReadFile(wal), wal_before);
  ASSERT_NO_FATAL_FAILURE(ReadEverythingReadOnly(db_path(), 5));
}

// What a crashed writer leaves behind: the database file and a WAL with committed frames that
// were never checkpointed, and no process holding them open.
TEST_F(SqliteEventStoreTest, ReadOnlyOpenOfCrashedWritersWalChangesNoByteOfDbOrWal) {
  CreateLog(/*with_five_events=*/false);
  const std::filesystem::path ro = dir_ / "ro", rw = dir_ / "rw";
  {
    auto writer = Store();
    ASSERT_NE(writer, nullptr);
    AppendFive(*writer);
    for (const auto& d : {ro, rw}) {
      std::filesystem::create_directory(d);
      std::filesystem::copy_file(db_path(), d / "events.db");
      std::filesystem::copy_file(db_path().string() + "-wal", d / "events.db-wal");
    }
  }
  const std::string db_before = ReadFile(ro / "events.db");
  const std::string wal_before = ReadFile(ro / "events.db-wal");
  ASSERT_FALSE(wal_before.empty());

  ASSERT_NO_FATAL_FAILURE(ReadEverythingReadOnly(ro / "events.db", 5));  // the 5 are in the WAL

  EXPECT_EQ(ReadFile(ro / "events.db"), db_before);
  EXPECT_EQ(ReadFile(ro / "events.db-wal"), wal_before);
  // Control: a read-write open of the same files checkpoints the WAL into the database file on
  // close, which is exactly what a read command must not do.
  {
    auto opened = SqliteEventStore::Open((rw / "events.db").string(), {});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ((*opened)->ReadAll(1)->size(), 5u);
  }
  EXPECT_NE(ReadFile(rw / "events.db"), db_before);
}

TEST_F(SqliteEventStoreTest, ReadOnlyOpenOfMissingFileIsNotFoundAndCreatesNothing) {
  auto r = OpenReadOnly(db_path());

  ASSERT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "no event log at " + db_path().string() + "; run `seamctl init`");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_.path()), {}), 0);
}

TEST_F(SqliteEventStoreTest, ReadOnlyWithCreateIfMissingIsInvalidArgument) {
  SqliteOpenOptions options;
  options.read_only = true;
  options.create_if_missing = true;

  auto r = SqliteEventStore::Open(db_path().string(), options);

  ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("read_only and create_if_missing"));
  EXPECT_FALSE(std::filesystem::exists(db_path()));
}

TEST_F(SqliteEventStoreTest, ReadOnlyOpenRefusesNewerSchemaAndLeavesFileUntouched) {
  CreateLog(/*with_five_events=*/true);
  {
    RawDb raw(db_path());
    ASSERT_EQ(raw.Exec("PRAGMA user_version = 99"), "");
  }
  const std::string before = ReadFile(db_path());

  auto r = OpenReadOnly(db_path());

  ASSERT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "event log " + db_path().string() +
                " has schema version 99, newer than this seamctl understands (2); upgrade seam");
  EXPECT_EQ(ReadFile(db_path()), before);
}

TEST_F(SqliteEventStoreTest, ReadOnlyOpenRefusesOtherApplicationsAndEmptyOrNonSqliteFiles) {
  {
    RawDb raw(db_path());
    ASSERT_EQ(raw.Exec("CREATE TABLE accounts(id INTEGER)"), "");
  }
  auto other_app = OpenReadOnly(db_path());
  const std::filesystem::path empty = dir_ / "empty.db", text = dir_ / "text.db";
  WriteFile(empty, "");
  WriteFile(text, std::string(4096, 'x'));
  auto empty_r = OpenReadOnly(empty);
  auto text_r = OpenReadOnly(text);

  ASSERT_EQ(other_app.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(other_app.status().message(), HasSubstr("application_id 0x00000000"));
  ASSERT_EQ(empty_r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(empty_r.status().message(), HasSubstr("(empty file)"));
  ASSERT_EQ(text_r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(text_r.status().message(), HasSubstr("is not a SQLite database"));
  EXPECT_EQ(ReadFile(empty), "");
  EXPECT_EQ(ReadFile(text), std::string(4096, 'x'));
}

// --- per-row hash check on replay --------------------------------------------------------------

struct RowEdit {
  const char* name;
  const char* set;  // SQL assignment applied to seq 4 (token/a version 3)
};

class RowHashCheckTest : public SqliteEventStoreTest,
                         public ::testing::WithParamInterface<RowEdit> {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(CreateLog(/*with_five_events=*/true));
    ASSERT_NO_FATAL_FAILURE(
        DropTriggersAndRun(std::string("UPDATE events SET ") + GetParam().set + " WHERE seq = 4"));
  }

  std::string Want() const {
    return "event log " + db_path().string() +
           ": event seq 4 of stream token/a fails its hash check (the row was altered); run "
           "`seamctl verify`";
  }
};

TEST_P(RowHashCheckTest, ScanStreamStopsAtTheAlteredRowNamingItsSeq) {
  for (bool read_only : {false, true}) {
    SCOPED_TRACE(read_only ? "read-only" : "read-write");
    auto store = read_only ? ReadOnlyStore(db_path()) : Store();
    ASSERT_NE(store, nullptr);
    std::vector<std::int64_t> visited;

    Status st = store->ScanStream("token/a", 1, [&](const Event& e) {
      visited.push_back(e.seq);
      return Status::Ok();
    });

    ASSERT_EQ(st.code(), StatusCode::kCorruption);
    EXPECT_EQ(st.message(), Want());
    EXPECT_EQ(visited, (std::vector<std::int64_t>{1, 2}));
    EXPECT_TRUE(store->ScanStream("token/b", 1, [](const Event&) { return Status::Ok(); }).ok());
  }
}

TEST_P(RowHashCheckTest, ReadStreamAndReadAllFailNamingTheAlteredSeq) {
  auto store = Store();
  ASSERT_NE(store, nullptr);

  auto stream = store->ReadStream("token/a");
  auto from_v3 = store->ReadStream("token/a", 3);
  auto all = store->ReadAll(1);
  auto before = store->ReadAll(1, 3);
  auto other = store->ReadStream("token/b");

  ASSERT_EQ(stream.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(stream.status().message(), Want());
  EXPECT_EQ(from_v3.status().code(), StatusCode::kCorruption);
  ASSERT_EQ(all.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(all.status().message(), Want());
  ASSERT_TRUE(before.ok()) << before.status().ToString();  // seq 1..3 are intact
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ(other->size(), 2u);
  auto report = store->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->first_bad_seq, 4);
}

INSTANTIATE_TEST_SUITE_P(
    Columns, RowHashCheckTest,
    ::testing::Values(RowEdit{"Type", "type = 'Revoked'"},
                      RowEdit{"Payload", "payload = x'6576696c'"},
                      RowEdit{"Actor", "actor = 'seamctl:mallory@host'"},
                      RowEdit{"TimeUs", "time_us = time_us + 1"}),
    [](const ::testing::TestParamInfo<RowEdit>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace seam
