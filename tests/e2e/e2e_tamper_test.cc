// Tampering with the log behind seamctl's back: `verify` recomputes the hash chain and names the
// first bad seq (exit 1); an intact log verifies (exit 0). The triggers that refuse UPDATE and
// DELETE are dropped first with the sqlite3 tool, as an attacker with file access could.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

class TamperTest : public SeamctlTest {
 protected:
  // Fifteen events: issued (seq 1), its SideApplied gateway and cli (2, 3); rotated (4), its
  // SideApplied (5, 6), the cli's drift opened (7), repaired (8) and closed (9); rotated (10),
  // its SideApplied (11, 12), drift opened (13), repaired (14), closed (15).
  void MakeLog() {
    ASSERT_NO_FATAL_FAILURE(InitAndIssue());
    for (int i = 0; i < 2; ++i) {
      ASSERT_EQ(Seamctl({"token", "rotate", kSeam}).exit_code, 0);
      SetCliToken("drift-" + std::to_string(i));
      ASSERT_EQ(Seamctl({"repair"}).exit_code, 0);
    }
    ASSERT_EQ(LogEvents().size(), 15U);
  }
  void Sql(const std::string& sql) {
    ProcessResult r = RunSqlite(DbFile(), sql);
    ASSERT_EQ(r.exit_code, 0) << sql << "\n" << r.err;
  }
  nlohmann::json VerifyJson(int* code) {
    ProcessResult r = Seamctl({"verify", "--json"});
    *code = r.exit_code;
    nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
    return j;
  }
};

TEST_F(TamperTest, TriggersRefuseUpdateAndDelete) {
  ASSERT_NO_FATAL_FAILURE(MakeLog());
  ProcessResult triggers = RunSqlite(DbFile(), "SELECT name FROM sqlite_master WHERE type='trigger' ORDER BY name;");
  ASSERT_EQ(triggers.exit_code, 0) << triggers.err;
  EXPECT_EQ(triggers.out, "events_no_delete\nevents_no_update\n");
  ProcessResult update = RunSqlite(DbFile(), "UPDATE events SET actor='x' WHERE seq=2;");
  EXPECT_NE(update.exit_code, 0);
  EXPECT_TRUE(Contains(update.err, "append-only")) << update.err;
  ProcessResult del = RunSqlite(DbFile(), "DELETE FROM events WHERE seq=2;");
  EXPECT_NE(del.exit_code, 0);
  EXPECT_EQ(Seamctl({"verify"}).exit_code, 0);
}

TEST_F(TamperTest, IntactLogVerifies) {
  ASSERT_NO_FATAL_FAILURE(MakeLog());
  ProcessResult text = Seamctl({"verify"});
  EXPECT_EQ(text.exit_code, 0) << text.out << text.err;
  EXPECT_TRUE(Contains(text.out, "log intact: 15 events, head seq 15")) << text.out;
  int code = -1;
  const nlohmann::json j = VerifyJson(&code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(j["intact"], true);
  EXPECT_EQ(j["events_checked"], 15);
  EXPECT_TRUE(j["first_bad_seq"].is_null());
  EXPECT_EQ(j["head"]["seq"], 15);
  EXPECT_EQ(j["head"]["hash"].get<std::string>().size(), 64U);
  // The head hash is the last event's hash as `log --json` shows it.
  EXPECT_EQ(j["head"]["hash"], LogEvents().back()["hash"]);
}

TEST_F(TamperTest, EmptyLogVerifies) {
  ASSERT_NO_FATAL_FAILURE(InitStandard());
  ProcessResult text = Seamctl({"verify"});
  EXPECT_EQ(text.exit_code, 0) << text.out << text.err;
  EXPECT_TRUE(Contains(text.out, "0 events")) << text.out;
}

struct Tamper {
  const char* name;
  const char* sql;
  std::vector<std::int64_t> first_bad;  // acceptable first bad seqs
};

void PrintTo(const Tamper& t, std::ostream* os) { *os << t.name; }

class TamperCaseTest : public TamperTest, public ::testing::WithParamInterface<Tamper> {};

TEST_P(TamperCaseTest, VerifyExitsOneNamingTheFirstBadSeq) {
  ASSERT_NO_FATAL_FAILURE(MakeLog());
  ASSERT_NO_FATAL_FAILURE(Sql(std::string("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; ") +
                              GetParam().sql));
  const Snapshot before = TakeSnapshot(Root());

  int code = -1;
  const nlohmann::json j = VerifyJson(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(j["intact"], false);
  ASSERT_TRUE(j["first_bad_seq"].is_number_integer()) << j.dump(2);
  const std::int64_t bad = j["first_bad_seq"].get<std::int64_t>();
  EXPECT_NE(std::find(GetParam().first_bad.begin(), GetParam().first_bad.end(), bad), GetParam().first_bad.end())
      << "first_bad_seq " << bad << "\n" << j.dump(2);
  EXPECT_TRUE(j["reason"].is_string() && !j["reason"].get<std::string>().empty()) << j.dump(2);
  EXPECT_LT(j["events_checked"].get<std::int64_t>(), 15) << j.dump(2);

  ProcessResult text = Seamctl({"verify"});
  EXPECT_EQ(text.exit_code, 1) << text.out << text.err;
  EXPECT_TRUE(Contains(text.out, "log BROKEN at seq " + std::to_string(bad) + ":")) << text.out;
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");
}

INSTANTIATE_TEST_SUITE_P(
    Sql, TamperCaseTest,
    ::testing::Values(
        // Seqs as in MakeLog: 4 and 10 are TokenRotated, 7 a DriftOpened, 5 a SideApplied.
        Tamper{"ActorOfSeq4", "UPDATE events SET actor='x' WHERE seq=4;", {4}},
        Tamper{"TimeOfSeq7", "UPDATE events SET time_us=time_us+1 WHERE seq=7;", {7}},
        Tamper{"PayloadOfSeq4", "UPDATE events SET payload=X'00' || payload WHERE seq=4;", {4}},
        Tamper{"PayloadOfSideAppliedSeq5", "UPDATE events SET payload=X'00' || payload WHERE seq=5;", {5}},
        Tamper{"TypeOfSeq10", "UPDATE events SET type='TokenIssued' WHERE seq=10;", {10}},
        Tamper{"StreamOfSeq7", "UPDATE events SET stream='token/device-43', version=1 WHERE seq=7;", {7}},
        Tamper{"HashOfSeq4", "UPDATE events SET hash=zeroblob(32) WHERE seq=4;", {4, 5}},
        Tamper{"DeleteSeq7", "DELETE FROM events WHERE seq=7;", {7, 8}},
        Tamper{"DeleteSeq1", "DELETE FROM events WHERE seq=1;", {1, 2}},
        Tamper{"RenumberSeq15", "UPDATE events SET seq=19 WHERE seq=15;", {15, 19}}),
    [](const ::testing::TestParamInfo<Tamper>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace seam::e2e
