// The [store] table and the store URL: url, path, key_file, state_dir and $SEAM_STORE_URL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "tests/core/config_fixture.h"

namespace seam::config_test {
namespace {

using ::testing::Not;
using ::testing::AllOf;

// Sets (or unsets) an environment variable for one test, restoring what was there.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) ::setenv(name, value, 1);
    else ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class StoreConfigTest : public ConfigTest {
 protected:
  ScopedEnv no_env_{"SEAM_STORE_URL", nullptr};
};

TEST_F(StoreConfigTest, UrlIsResolvedLikePathWithKeyAndStateBesideTheLog) {
  Result<Config> config = Load("[store]\nurl = \"sqlite:state/../log/events.db\"\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->store.scheme, "sqlite");
  EXPECT_EQ(config->store.db_path, dir_.path() / "log/events.db");
  EXPECT_EQ(config->store.url, "sqlite:" + (dir_.path() / "log/events.db").string());
  EXPECT_EQ(config->store.key_path, dir_.path() / "log/key");
  EXPECT_EQ(config->store.state_dir, dir_.path() / "log");

  Result<Config> absolute = Load("[store]\nurl = \"sqlite:/var/lib/seam/events.db\"\n");
  ASSERT_TRUE(absolute.ok()) << absolute.status().ToString();
  EXPECT_EQ(absolute->store.db_path, "/var/lib/seam/events.db");
}

TEST_F(StoreConfigTest, PathIsTheShortFormOfASqliteUrl) {
  Result<Config> by_path = Load("[store]\npath = \"x/events.db\"\n");
  Result<Config> by_url = Load("[store]\nurl = \"sqlite:x/events.db\"\n");
  ASSERT_TRUE(by_path.ok() && by_url.ok());
  EXPECT_EQ(by_path->store.url, by_url->store.url);
  EXPECT_EQ(by_path->store.key_path, by_url->store.key_path);
  EXPECT_EQ(by_path->store.state_dir, by_url->store.state_dir);
}

TEST_F(StoreConfigTest, KeyFileAndStateDirLiveApartFromTheLog) {
  Result<Config> config =
      Load("[store]\nurl = \"sqlite:/srv/shared/events.db\"\nkey_file = \"secrets/seam.key\"\nstate_dir = \"/run/seam\"\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->store.db_path, "/srv/shared/events.db");
  EXPECT_EQ(config->store.key_path, dir_.path() / "secrets/seam.key");
  EXPECT_EQ(config->store.state_dir, "/run/seam");
}

TEST_F(StoreConfigTest, APostgresUrlKeepsItsStateAndKeyBesideTheConfig) {
  Result<Config> config = Load("[store]\nurl = \"postgresql://seam@db.example:5433/seam?sslmode=verify-full\"\n"
                               "password_file = \"secrets/pg\"\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->store.scheme, "postgresql");
  EXPECT_EQ(config->store.url, "postgresql://seam@db.example:5433/seam?sslmode=verify-full");
  EXPECT_EQ(config->store.db_path, "");
  EXPECT_EQ(config->store.state_dir, dir_.path() / ".seam");
  EXPECT_EQ(config->store.key_path, dir_.path() / ".seam/key");
  EXPECT_EQ(config->store.password_file, dir_.path() / "secrets/pg");

  // The key follows a state directory that is named, unless the key file is named too.
  Result<Config> moved = Load("[store]\nurl = \"postgres://seam@db/seam\"\nstate_dir = \"/var/lib/seam\"\n");
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(moved->store.scheme, "postgresql");
  EXPECT_EQ(moved->store.key_path, "/var/lib/seam/key");
  Result<Config> both = Load("[store]\nurl = \"postgres://seam@db/seam\"\nstate_dir = \"/var/lib/seam\"\n"
                             "key_file = \"/etc/seam/key\"\n");
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  EXPECT_EQ(both->store.key_path, "/etc/seam/key");
}

TEST_F(StoreConfigTest, UrlAndPathTogetherIsAnErrorNamingBothLines) {
  EXPECT_THAT(LoadError("[store]\npath = \"a.db\"\nurl = \"sqlite:b.db\"\n"),
              HasSubstr(At(3) + "store: keys `url` and `path` both name the event log (line 2); keep one"));
}

TEST_F(StoreConfigTest, BadUrlsAreRefusedWithTheirLineAndNeverEchoACredential) {
  const std::string mysql = LoadError("[store]\n\nurl = \"mysql://seam:hunter2@db.example/seam\"\n");
  EXPECT_THAT(mysql, HasSubstr(At(3) + "store: key `url`: store URL scheme `mysql` is not one this seam opens "
                                       "(sqlite:PATH, postgresql://USER@HOST/DB)"));
  EXPECT_THAT(mysql, Not(HasSubstr("hunter2")));
  EXPECT_THAT(LoadError("[store]\nurl = \"postgresql:seam:hunter2@db\"\n"),
              AllOf(HasSubstr(At(2) + "store: key `url`: store URL `postgresql:…` is not a PostgreSQL URI"),
                    Not(HasSubstr("hunter2"))));
  EXPECT_THAT(LoadError("[store]\nurl = \"sqlite:a.db\"\npassword_file = \"pw\"\n"),
              HasSubstr(At(3) + "store: key `password_file` is for a postgresql:// store (this one is sqlite)"));
  EXPECT_THAT(LoadError("[store]\nurl = \"events.db\"\n"), HasSubstr(At(2) + "store: key `url`: store URL has no scheme"));
  EXPECT_THAT(LoadError("[store]\nurl = \"sqlite:\"\n"), HasSubstr(At(2) + "store: key `url`: store URL `sqlite:` names no file"));
  EXPECT_THAT(LoadError("[store]\nurl = \"sqlite:///var/x.db\"\n"), HasSubstr("has a host part"));
  EXPECT_THAT(LoadError("[store]\nurl = 7\n"), HasSubstr(At(2) + "store: key `url` must be a string"));
  EXPECT_THAT(LoadError("[store]\nkey_file = \"\"\n"), HasSubstr(At(2) + "store: key `key_file` is empty"));
  EXPECT_THAT(LoadError("[store]\nstate_dir = []\n"), HasSubstr(At(2) + "store: key `state_dir` must be a string"));
  EXPECT_THAT(LoadError("[store]\nhost = \"x\"\n"),
              HasSubstr(At(2) + "store: unknown key `host` (known: url, path, key_file, state_dir, password_file)"));
}

TEST_F(StoreConfigTest, EnvironmentUrlOverridesUrlAndPathButNotKeyFile) {
  ScopedEnv env("SEAM_STORE_URL", "sqlite:elsewhere/events.db");
  Result<Config> over_path = Load("[store]\npath = \"a.db\"\nkey_file = \"k\"\n");
  ASSERT_TRUE(over_path.ok()) << over_path.status().ToString();
  EXPECT_EQ(over_path->store.db_path, dir_.path() / "elsewhere/events.db");
  EXPECT_EQ(over_path->store.key_path, dir_.path() / "k");
  Result<Config> over_url = Load("[store]\nurl = \"sqlite:b.db\"\n");
  ASSERT_TRUE(over_url.ok());
  EXPECT_EQ(over_url->store.db_path, dir_.path() / "elsewhere/events.db");
  EXPECT_EQ(over_url->store.state_dir, dir_.path() / "elsewhere");
  Result<Config> no_store = Load("");
  ASSERT_TRUE(no_store.ok());
  EXPECT_EQ(no_store->store.db_path, dir_.path() / "elsewhere/events.db");
}

TEST_F(StoreConfigTest, ABadEnvironmentUrlIsNamedAsSuch) {
  ScopedEnv env("SEAM_STORE_URL", "mysql://seam:hunter2@db/seam");
  const std::string m = LoadError("");
  EXPECT_THAT(m, HasSubstr("$SEAM_STORE_URL: store URL scheme `mysql` is not one this seam opens"));
  EXPECT_THAT(m, Not(HasSubstr("hunter2")));
}

TEST_F(StoreConfigTest, AnEmptyEnvironmentUrlIsUnset) {
  ScopedEnv env("SEAM_STORE_URL", "");
  Result<Config> config = Load("[store]\npath = \"a.db\"\n");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->store.db_path, dir_.path() / "a.db");
}

TEST(StoreFromUrlTest, RelativePathsAreAgainstTheBaseDirectory) {
  Result<StoreConfig> store = StoreFromUrl("sqlite:./x/../events.db", "/etc/seam");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(store->db_path, "/etc/seam/events.db");
  EXPECT_EQ(store->url, "sqlite:/etc/seam/events.db");
  EXPECT_EQ(store->key_path, "/etc/seam/key");
  EXPECT_FALSE(StoreFromUrl(":x", "/").ok());
  EXPECT_FALSE(StoreFromUrl("SQLITE:x", "/").ok());
  EXPECT_EQ(StoreFromUrl("mysql://u:secret@h/d", "/").status().message().find("secret"), std::string::npos);
}

}  // namespace
}  // namespace seam::config_test

namespace seam::config_test {
namespace {

TEST_F(ConfigTest, DaemonWorkersIsAWholeNumberFromOneTo64) {
  Result<Config> none = Load("");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->daemon.workers, 4);
  Result<Config> eight = Load("[daemon]\nworkers = 8\n");
  ASSERT_TRUE(eight.ok()) << eight.status().ToString();
  EXPECT_EQ(eight->daemon.workers, 8);
  for (const char* bad : {"0", "65", "-1", "\"4\"", "2.5", "true"}) {
    EXPECT_THAT(LoadError(std::string("[daemon]\nworkers = ") + bad + "\n"),
                HasSubstr(At(2) + "daemon: key `workers` must be a whole number from 1 to 64"))
        << bad;
  }
}

TEST_F(ConfigTest, DaemonTokenFileIsAPathBesideTheConfig) {
  Result<Config> none = Load("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->daemon.token_file.empty());
  Result<Config> relative = Load("[daemon]\ntoken_file = \"secrets/status.token\"\n");
  ASSERT_TRUE(relative.ok()) << relative.status().ToString();
  EXPECT_EQ(relative->daemon.token_file, file().parent_path() / "secrets/status.token");
  EXPECT_EQ(relative->daemon.token_file_line, 2);
  Result<Config> absolute = Load("[daemon]\ntoken_file = \"/etc/seam/status.token\"\n");
  ASSERT_TRUE(absolute.ok());
  EXPECT_EQ(absolute->daemon.token_file, "/etc/seam/status.token");
  EXPECT_THAT(LoadError("[daemon]\ntoken_file = \"\"\n"), HasSubstr(At(2) + "daemon: key `token_file` must not be empty"));
  EXPECT_THAT(LoadError("[daemon]\ntoken_file = 3\n"), HasSubstr(At(2) + "daemon: key `token_file`"));
}

}  // namespace
}  // namespace seam::config_test
