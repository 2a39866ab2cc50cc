#pragma once
// OnPostgres<Base>: an e2e fixture (SeamctlTest, SeamdTest) whose seam.toml keeps the log in a
// fresh database of the run's throwaway PostgreSQL (tests/support/throwaway_postgres.h: the
// ctest fixture `postgres`, or a server of the binary's own).

#include <gtest/gtest.h>

#include <string>

#include "tests/e2e/e2e_fixture.h"
#include "tests/support/throwaway_postgres.h"

namespace seam::e2e {

template <class Base>
class OnPostgres : public Base {
 protected:
  void SetUp() override {
    Base::SetUp();
    std::string error;
    server_ = seam::testing::ThrowawayPostgres::ForTests(&error);
    ASSERT_NE(server_, nullptr) << error;
    db_ = server_->NewDatabase("e2e");
    ASSERT_FALSE(db_.empty()) << "CREATE DATABASE failed";
  }

  // StandardConfig with its [store] table replaced by `url` and `extra` lines; `tail` appended.
  static std::string WithStore(const std::string& url, const std::string& extra = "", const std::string& tail = "") {
    std::string config = StandardConfig();
    const std::string old = "[store]\npath = \".seam/events.db\"\n";
    config.replace(config.find(old), old.size(), "[store]\nurl = \"" + url + "\"\n" + extra);
    return config + tail;
  }

  // The standard seam on this test's database, fresh sides, `seamctl init`.
  void InitOnPostgres(const std::string& tail = "") {
    this->WriteConfig(WithStore(server_->Url(db_), "", tail));
    this->WriteFreshSides();
    ProcessResult init = this->Seamctl({"init"});
    ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  }

  // What psql prints for `sql` on this test's database, as the superuser (or `role`).
  std::string Query(const std::string& sql, const std::string& role = "") {
    std::string out;
    const std::string error = server_->Psql(sql, db_, &out, role);
    EXPECT_EQ(error, "") << sql;
    return out;
  }

  seam::testing::ThrowawayPostgres* server_ = nullptr;
  std::string db_;
};

}  // namespace seam::e2e
