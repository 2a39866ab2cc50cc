// store::Open and what a Store hands out, on real files: the SQLite log at the configured URL,
// flock writer locks under the state directory, the confirmation book and the config index.
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "store/open.h"
#include "tests/support/temp_dir.h"

namespace seam {
namespace {

using ::seam::testing::TempDir;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

class StoreOpenTest : public ::testing::Test {
 protected:
  StoreOpenTest() {
    Result<StoreConfig> parsed = StoreFromUrl("sqlite:log/events.db", dir_.path());
    EXPECT_TRUE(parsed.ok());
    config_ = *parsed;
    config_.state_dir = dir_ / "local";  // apart from the log, as [store] state_dir allows
    std::filesystem::create_directories(dir_ / "log");
    std::filesystem::create_directories(config_.state_dir);
  }

  std::unique_ptr<Store> OpenOrFail(store::OpenOptions options = {.create_if_missing = true}) {
    Result<std::unique_ptr<Store>> opened = store::Open(config_, options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(*opened) : nullptr;
  }

  TempDir dir_;
  StoreConfig config_;
};

TEST_F(StoreOpenTest, OpensTheLogTheUrlNamesAndDescribesItByItsFile) {
  EXPECT_EQ(store::Open(config_).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(config_.db_path));
  std::unique_ptr<Store> store = OpenOrFail();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "log/events.db"));
  EXPECT_EQ(store->Describe(), (dir_ / "log/events.db").string());
  ASSERT_TRUE(store->Log().Append("token/a", 0, {EventDraft{"TokenIssued", "t", 1, "p"}}).ok());

  std::unique_ptr<Store> reader = OpenOrFail({.read_only = true});
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->Log().Head()->seq, 1);
  EXPECT_EQ(reader->Log().Append("token/a", 1, {EventDraft{"TokenRotated", "t", 2, "p"}}).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(StoreOpenTest, ASchemeItCannotOpenIsRefused) {
  config_.scheme = "mysql";
  Result<std::unique_ptr<Store>> opened = store::Open(config_, {.create_if_missing = true});
  ASSERT_FALSE(opened.ok());
  EXPECT_THAT(opened.status().message(), HasSubstr("scheme `mysql`"));
}

TEST_F(StoreOpenTest, OneWriterPerStreamTheSecondIsToldWhoHoldsIt) {
  std::unique_ptr<Store> a = OpenOrFail();
  std::unique_ptr<Store> b = OpenOrFail();
  ASSERT_TRUE(a && b);
  Result<std::unique_ptr<WriterLock>> held = a->LockStream("token/device-42", "seamctl:alice@host", 0ms);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_TRUE(std::filesystem::exists(config_.state_dir / "locks/token~device-42.lock"));

  Result<std::unique_ptr<WriterLock>> busy = b->LockStream("token/device-42", "seamd", 50ms);
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(busy.status().message(), HasSubstr("seamctl:alice@host (pid " + std::to_string(::getpid()) + ")"));
  EXPECT_THAT(busy.status().message(), HasSubstr("waited 50 ms"));

  // Another stream is another lock.
  EXPECT_TRUE(b->LockStream("token/device-43", "seamd", 0ms).ok());

  // Released when the holder lets go; a waiter gets it then.
  std::thread release([&] {
    std::this_thread::sleep_for(100ms);
    held->reset();
  });
  Result<std::unique_ptr<WriterLock>> waited = b->LockStream("token/device-42", "seamd", 10s);
  release.join();
  EXPECT_TRUE(waited.ok()) << waited.status().ToString();
}

// The holder record is written when the holder changes, not on every lock: a daemon taking the
// same locks pass after pass leaves the files alone (no dirty page per pass).
TEST_F(StoreOpenTest, RelockingAsTheSameHolderLeavesTheLockFileAlone) {
  std::unique_ptr<Store> store = OpenOrFail();
  ASSERT_NE(store, nullptr);
  const std::filesystem::path file = config_.state_dir / "locks/token~device-42.lock";
  ASSERT_TRUE(store->LockStream("token/device-42", "seamd", 0ms).ok());
  const std::string first = seam::testing::ReadFile(file);
  EXPECT_EQ(first.substr(0, 6), "seamd ");  // the actor, padded: no pid, so a restart rewrites nothing
  EXPECT_EQ(first.size(), 128u);
  // An mtime far in the past: a rewrite would move it to now.
  const auto past = std::filesystem::file_time_type::clock::now() - std::chrono::hours(24);
  std::filesystem::last_write_time(file, past);
  ASSERT_TRUE(store->LockStream("token/device-42", "seamd", 0ms).ok());
  EXPECT_EQ(std::filesystem::last_write_time(file), past);
  EXPECT_EQ(seam::testing::ReadFile(file), first);
  // Another holder writes its own name.
  ASSERT_TRUE(store->LockStream("token/device-42", "seamctl:bob@host", 0ms).ok());
  EXPECT_NE(std::filesystem::last_write_time(file), past);
  EXPECT_EQ(seam::testing::ReadFile(file).substr(0, 17), "seamctl:bob@host ");
}

TEST_F(StoreOpenTest, ALockDirectoryThatCannotBeMadeIsAnIoErrorNamingIt) {
  std::filesystem::remove_all(config_.state_dir);
  seam::testing::WriteFile(config_.state_dir, "a file where the state directory should be");
  std::unique_ptr<Store> store = OpenOrFail();
  ASSERT_NE(store, nullptr);
  Result<std::unique_ptr<WriterLock>> lock = store->LockStream("token/a", "t", 0ms);
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.status().code(), StatusCode::kIoError);
  EXPECT_THAT(lock.status().message(), HasSubstr((config_.state_dir / "locks").string()));
}

TEST_F(StoreOpenTest, TheConfirmationBookAndConfigIndexLiveInTheStateDirectory) {
  std::unique_ptr<Store> store = OpenOrFail();
  ASSERT_NE(store, nullptr);
  Result<std::unique_ptr<ConfirmationBook>> book = store->OpenConfirmationBook();
  ASSERT_TRUE(book.ok()) << book.status().ToString();
  (*book)->Confirm("token/a", "cli", 1'700'000'000'000'000);
  ASSERT_TRUE((*book)->Flush().ok());
  EXPECT_TRUE(std::filesystem::exists(config_.state_dir / "confirmations.db"));
  Result<std::unique_ptr<ConfirmationBook>> again = store->OpenConfirmationBook();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->LastInSync("token/a", "cli"), 1'700'000'000'000'000);

  std::unique_ptr<ConfigIndex> index = store::OpenConfigIndex(config_);
  EXPECT_EQ(index->Describe(), (config_.state_dir / "config-index.db").string());
  EXPECT_FALSE(std::filesystem::exists(config_.state_dir / "config-index.db"));  // opening touches nothing
  ASSERT_TRUE(index->Write("key-1", {SeamLines{"a", LineRange{3, 9}}}).ok());
  Result<std::optional<LineRange>> found = index->Find("key-1", "a");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->first, 3);
  EXPECT_FALSE(*index->IsFor("key-2"));
}

}  // namespace
}  // namespace seam
