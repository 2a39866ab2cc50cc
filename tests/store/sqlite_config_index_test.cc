// store/sqlite_config_index.h on real files: what it finds, what it refuses, and that a
// hostile or foreign file is an error (a miss to its callers), never a crash or a hang.
#include "store/sqlite_config_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "tests/support/temp_dir.h"

namespace seam {
namespace {

using ::seam::testing::TempDir;
using ::testing::HasSubstr;

const std::string kText(64, 'a');
const std::string kOtherText(64, 'b');

class ConfigIndexTest : public ::testing::Test {
 protected:
  std::filesystem::path Index() const { return dir_ / "config-index.db"; }
  void WriteTwo() {
    ASSERT_TRUE(WriteConfigIndex(Index(), kText, {{"s1", {5, 15}}, {"s2", {15, 26}}}).ok());
  }
  // Runs `sql` on the index with the sqlite3 C API (tampering, as someone with file access would).
  void Tamper(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(Index().c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  int FilesInDir() const {
    int n = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir_.path())) ++n;
    return n;
  }

  TempDir dir_;
};

TEST_F(ConfigIndexTest, FindsTheLinesOfASeamOfTheIndexedText) {
  WriteTwo();
  Result<std::optional<LineRange>> found = FindIndexedSeam(Index(), kText, "s2");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, (LineRange{15, 26}));
  EXPECT_EQ(FilesInDir(), 1) << "no temporary or journal file is left";
}

TEST_F(ConfigIndexTest, AnotherTextOrAnotherSeamOrNoFileIsAMiss) {
  EXPECT_FALSE(FindIndexedSeam(Index(), kText, "s1").value().has_value());
  EXPECT_FALSE(IndexIsFor(Index(), kText).value());
  WriteTwo();
  EXPECT_TRUE(IndexIsFor(Index(), kText).value());
  EXPECT_FALSE(IndexIsFor(Index(), kOtherText).value());
  EXPECT_FALSE(FindIndexedSeam(Index(), kOtherText, "s1").value().has_value());
  EXPECT_FALSE(FindIndexedSeam(Index(), kText, "s3").value().has_value());
  EXPECT_FALSE(FindIndexedSeam(Index(), kText, "").value().has_value());
}

TEST_F(ConfigIndexTest, ARewriteReplacesTheWholeIndex) {
  WriteTwo();
  ASSERT_TRUE(WriteConfigIndex(Index(), kOtherText, {{"s3", {1, 4}}}).ok());
  EXPECT_FALSE(IndexIsFor(Index(), kText).value());
  EXPECT_FALSE(FindIndexedSeam(Index(), kOtherText, "s1").value().has_value());
  EXPECT_EQ(FindIndexedSeam(Index(), kOtherText, "s3").value(), (LineRange{1, 4}));
  EXPECT_EQ(FilesInDir(), 1);
}

TEST_F(ConfigIndexTest, HostileFilesAreErrorsNamingTheFile) {
  struct Case {
    const char* what;
    std::function<void(const std::filesystem::path&)> make;
    const char* says;
  };
  const std::vector<Case> cases = {
      {"garbage", [](const auto& p) { std::ofstream(p) << std::string(10000, 'x'); }, "not a database"},
      {"empty file", [](const auto& p) { std::ofstream(p) << ""; }, "is not a seam config index (application_id 0)"},
      {"another SQLite file",
       [](const auto& p) {
         sqlite3* db = nullptr;
         sqlite3_open(p.c_str(), &db);
         sqlite3_exec(db, "CREATE TABLE t(x); PRAGMA application_id=7;", nullptr, nullptr, nullptr);
         sqlite3_close(db);
       },
       "is not a seam config index (application_id 7)"},
      {"a directory", [](const auto& p) { std::filesystem::create_directory(p); }, "not a regular file"},
      {"a FIFO", [](const auto& p) { ::mkfifo(p.c_str(), 0600); }, "not a regular file"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    std::filesystem::remove_all(Index());
    c.make(Index());
    Result<std::optional<LineRange>> found = FindIndexedSeam(Index(), kText, "s1");
    ASSERT_FALSE(found.ok());
    EXPECT_THAT(found.status().message(), HasSubstr(Index().string()));
    EXPECT_THAT(found.status().message(), HasSubstr(c.says));
    EXPECT_FALSE(IndexIsFor(Index(), kText).ok());
  }
}

// Files planted by someone who can write the state directory, with the right application_id:
// each is refused before any query could loop or allocate (bounded by a timeout of the test
// runner: without the schema check the first one never returns).
TEST_F(ConfigIndexTest, PlantedSchemasAreRefusedNotRun) {
  struct Case {
    const char* what;
    std::string sql;
    const char* says;
  };
  const std::string endless =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT 'k' AS text_key FROM c WHERE x < 0";
  const std::vector<Case> cases = {
      {"config_text is an endless view",
       "CREATE VIEW config_text AS " + endless +
           "; CREATE TABLE seam_lines(name TEXT PRIMARY KEY, first_line INTEGER, end_line INTEGER) WITHOUT ROWID;",
       "unexpected view `config_text`"},
      {"a generated column of 200 MB",
       "CREATE TABLE config_text(x, text_key AS (zeroblob(200000000)));", "unexpected table `config_text`"},
      {"an extra trigger", "", "unexpected trigger `t`"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    std::filesystem::remove(Index());
    if (c.sql.empty()) {
      WriteTwo();
      Tamper("CREATE TRIGGER t AFTER INSERT ON seam_lines BEGIN SELECT 1; END;");
    } else {
      Tamper(c.sql + "PRAGMA application_id = 1397047625;");
    }
    Result<std::optional<LineRange>> found = FindIndexedSeam(Index(), kText, "s1");
    ASSERT_FALSE(found.ok());
    EXPECT_THAT(found.status().message(), HasSubstr(c.says));
  }
}

TEST_F(ConfigIndexTest, AValueOverTheReadersLimitIsAnError) {
  WriteTwo();
  Tamper("UPDATE config_text SET text_key = text_key || zeroblob(100000);");
  Result<bool> current = IndexIsFor(Index(), kText);
  ASSERT_FALSE(current.ok());
  EXPECT_THAT(current.status().message(), HasSubstr("too big"));
}

TEST_F(ConfigIndexTest, TamperedRowsAreErrorsOrMisses) {
  WriteTwo();
  Tamper("UPDATE seam_lines SET first_line = 0 WHERE name = 's1';"
         "UPDATE seam_lines SET end_line = 3 WHERE name = 's2';");
  Result<std::optional<LineRange>> s1 = FindIndexedSeam(Index(), kText, "s1");
  ASSERT_FALSE(s1.ok());
  EXPECT_THAT(s1.status().message(), HasSubstr("seam `s1` has lines 0-15, which no text has"));
  EXPECT_FALSE(FindIndexedSeam(Index(), kText, "s2").ok());

  Tamper("DELETE FROM config_text;");
  EXPECT_THAT(FindIndexedSeam(Index(), kText, "s1").status().message(), HasSubstr("reading which text it is for"));
  Tamper("DROP TABLE seam_lines; INSERT INTO config_text VALUES ('" + kText + "');");
  EXPECT_FALSE(FindIndexedSeam(Index(), kText, "s1").ok());
}

TEST_F(ConfigIndexTest, WritingIntoAMissingDirectoryFailsAndLeavesNothing) {
  const std::filesystem::path missing = dir_ / "nope" / "config-index.db";
  Status written = WriteConfigIndex(missing, kText, {{"s1", {1, 2}}});
  ASSERT_FALSE(written.ok());
  EXPECT_THAT(written.message(), HasSubstr(missing.string()));
  EXPECT_EQ(FilesInDir(), 0);
}

TEST_F(ConfigIndexTest, WritingOverADirectoryFailsAndKeepsIt) {
  std::filesystem::create_directory(Index());
  Status written = WriteConfigIndex(Index(), kText, {{"s1", {1, 2}}});
  ASSERT_FALSE(written.ok());
  EXPECT_THAT(written.message(), HasSubstr(Index().string()));
  EXPECT_TRUE(std::filesystem::is_directory(Index()));
  EXPECT_EQ(FilesInDir(), 1) << "the temporary file is removed";
}

TEST_F(ConfigIndexTest, HostileNamesAreStoredAndFoundAsBytes) {
  const std::string odd = std::string("s'; DROP TABLE seam_lines; --\xff", 31);
  ASSERT_TRUE(WriteConfigIndex(Index(), kText, {{odd, {3, 9}}}).ok());
  EXPECT_EQ(FindIndexedSeam(Index(), kText, odd).value(), (LineRange{3, 9}));
}

}  // namespace
}  // namespace seam
