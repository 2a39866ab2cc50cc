// The notification cursors a store keeps (core/notify_cursor_book.h) on both stores: the SQLite
// file beside the log and the PostgreSQL table every host shares. The first start recorded
// stands; a cursor never moves back (a slower agent cannot undo a faster one); what one handle
// advanced, another handle (another agent, a restarted seamd) reads; a file from before streams
// had cursors of their own is read as it stands.
#include <sqlite3.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "store/open.h"
#include "tests/support/temp_dir.h"
#include "tests/support/throwaway_postgres.h"

namespace seam {
namespace {

enum class Kind { kSqlite, kPostgres };

class NotifyCursorBookTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (GetParam() == Kind::kSqlite) {
      config_.db_path = dir_.path() / "events.db";
      config_.state_dir = dir_.path();
    } else {
      std::string error;
      server_ = testing::ThrowawayPostgres::ForTests(&error);
      ASSERT_NE(server_, nullptr) << error;
      const std::string db = server_->NewDatabase("cursors");
      ASSERT_FALSE(db.empty());
      Result<StoreConfig> parsed = StoreFromUrl(server_->Url(db), "/nonexistent");
      ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
      config_ = *parsed;
    }
  }

  // A book on a store handle of its own, as each agent's notifier has.
  std::unique_ptr<NotifyCursorBook> Book() {
    Result<std::unique_ptr<Store>> store = store::Open(config_, {.create_if_missing = true});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return nullptr;
    Result<std::unique_ptr<NotifyCursorBook>> book = (*store)->OpenNotifyCursors();
    EXPECT_TRUE(book.ok()) << book.status().ToString();
    return book.ok() ? std::move(*book) : nullptr;
  }

  testing::TempDir dir_;
  testing::ThrowawayPostgres* server_ = nullptr;
  StoreConfig config_;
};

TEST_P(NotifyCursorBookTest, TheFirstStartStandsAndCursorsOnlyMoveForward) {
  std::unique_ptr<NotifyCursorBook> a = Book();
  std::unique_ptr<NotifyCursorBook> b = Book();
  ASSERT_TRUE(a && b);
  Result<NotifyCursorBook::Cursors> none = a->Load("hook");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->start.has_value()) << "never seen";
  EXPECT_EQ(none->Of("token/a"), 0);

  Result<std::int64_t> first = a->Begin("hook", 5);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, 5);
  Result<std::int64_t> second = b->Begin("hook", 9);  // another agent, later: the first start stands
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, 5);

  ASSERT_TRUE(a->Advance("hook", {{"token/a", 7}, {"token/b", 6}}).ok());
  ASSERT_TRUE(b->Advance("hook", {{"token/a", 6}, {"token/c", 8}}).ok()) << "a slower agent's older cursor";
  ASSERT_TRUE(b->Advance("pager", {{"token/a", 1}}).ok());
  Result<NotifyCursorBook::Cursors> kept = Book()->Load("hook");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->start, 5);
  EXPECT_EQ(kept->Of("token/a"), 7) << "never moved back";
  EXPECT_EQ(kept->Of("token/b"), 6);
  EXPECT_EQ(kept->Of("token/c"), 8);
  EXPECT_EQ(kept->Of("token/d"), 5) << "a stream without a cursor is at the start";
  EXPECT_EQ(kept->streams.size(), 3u) << "targets are kept apart";
}

INSTANTIATE_TEST_SUITE_P(Stores, NotifyCursorBookTest, ::testing::Values(Kind::kSqlite, Kind::kPostgres),
                         [](const auto& p) { return p.param == Kind::kSqlite ? "Sqlite" : "Postgres"; });

// notify-cursors.db as seamd wrote it before streams had cursors: one row per target, which is a
// start now, so nothing already delivered is sent again and nothing is skipped.
TEST(SqliteNotifyCursorsTest, AFileFromBeforeStreamCursorsIsReadAsItStands) {
  testing::TempDir dir;
  const std::filesystem::path file = dir.path() / "notify-cursors.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE notify_cursors (target TEXT PRIMARY KEY, seq INTEGER NOT NULL);"
                         "INSERT INTO notify_cursors VALUES ('hook', 42);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  StoreConfig config;
  config.db_path = dir.path() / "events.db";
  config.state_dir = dir.path();
  Result<std::unique_ptr<Store>> store = store::Open(config, {.create_if_missing = true});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Result<std::unique_ptr<NotifyCursorBook>> book = (*store)->OpenNotifyCursors();
  ASSERT_TRUE(book.ok()) << book.status().ToString();
  Result<NotifyCursorBook::Cursors> kept = (*book)->Load("hook");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->start, 42);
  EXPECT_EQ(kept->Of("token/a"), 42);
  EXPECT_EQ(*(*book)->Begin("hook", 50), 42);
}

TEST(SqliteNotifyCursorsTest, AnUnopenableFileIsAnErrorNamingIt) {
  testing::TempDir dir;
  StoreConfig config;
  config.db_path = dir.path() / "events.db";
  config.state_dir = dir.path();
  Result<std::unique_ptr<Store>> store = store::Open(config, {.create_if_missing = true});
  ASSERT_TRUE(store.ok());
  std::filesystem::create_directory(dir.path() / "notify-cursors.db");  // a directory in its place
  Result<std::unique_ptr<NotifyCursorBook>> book = (*store)->OpenNotifyCursors();
  ASSERT_FALSE(book.ok());
  EXPECT_EQ(book.status().code(), StatusCode::kIoError);
  EXPECT_THAT(book.status().message(), ::testing::HasSubstr((dir.path() / "notify-cursors.db").string()));
}

}  // namespace
}  // namespace seam
