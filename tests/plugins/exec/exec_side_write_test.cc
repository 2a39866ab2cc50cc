// exec side: Write, Remove (compare-and-swap against a fresh `read`) and CheckWritable.
#include <sys/stat.h>

#include <filesystem>

#include "tests/plugins/exec/exec_side_fixture.h"

namespace seam {
namespace {

namespace fs = std::filesystem;
using testing::Contains;
using testing::FieldText;
using testing::OneField;
using testing::kSecret;
using testing::ReadFile;

class ExecSideWriteTest : public testing::ExecSideFixture {};

TEST_F(ExecSideWriteTest, WriteThenReadBack) {
  auto side = Make();
  Observation before = side->Observe();
  ASSERT_EQ(before.state, Observation::State::kMissing);
  ASSERT_TRUE(side->Write(OneField(kSecret), before.marker).ok());
  EXPECT_EQ(ReadFile(dir_ / "store.json"), std::string("{\"value\":\"") + kSecret + "\"}\n");
  Observation after = side->Observe();
  ASSERT_EQ(after.state, Observation::State::kValue) << after.reason;
  EXPECT_EQ(FieldText(after), kSecret);

  // A value JSON must escape survives the round trip.
  const Secret odd(std::string("quote\" back\\slash\ttab \xc3\xa9"));
  ASSERT_TRUE(side->Write(Record{{"token", odd}}, after.marker).ok());
  Observation odd_back = side->Observe();
  ASSERT_EQ(odd_back.state, Observation::State::kValue) << odd_back.reason;
  ASSERT_NE(odd_back.Field("token"), nullptr);
  EXPECT_TRUE(odd_back.Field("token")->Equals(odd));
}

TEST_F(ExecSideWriteTest, RemoveWithoutARemoveProgramWritesNull) {
  auto side = Make();
  Store(std::string("{\"value\": \"") + kSecret + "\"}");
  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());
  EXPECT_EQ(ReadFile(dir_ / "store.json"), "{\"value\":null}\n");
  EXPECT_EQ(side->Observe().state, Observation::State::kMissing);
}

TEST_F(ExecSideWriteTest, RemoveRunsTheRemoveProgramWithNullOnStdin) {
  Script("remove.sh", "cat > remove.in\nrm -f store.json\n");
  SideOptions o = Options();
  o.Set("remove", OptionValue{std::vector<std::string>{"./remove.sh"}, 13});
  auto side = Make(std::move(o));
  Store(std::string("{\"value\": \"") + kSecret + "\"}");
  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());
  EXPECT_EQ(ReadFile(dir_ / "remove.in"), "{\"value\":null}\n");
  EXPECT_FALSE(fs::exists(dir_ / "store.json"));
  EXPECT_EQ(side->Observe().state, Observation::State::kMissing);
}

TEST_F(ExecSideWriteTest, RemovingAMissingValueRunsNothing) {
  Script("write.sh", "touch write-ran\n");
  auto side = Make();
  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());
  EXPECT_FALSE(fs::exists(dir_ / "write-ran"));
}

TEST_F(ExecSideWriteTest, RefusesWhenReadReportsSomethingElseThanWasObserved) {
  Script("write.sh", "touch write-ran\ncat > store.json\n");
  auto side = Make();
  Store("{\"value\": \"old\"}");
  Observation seen = side->Observe();
  Store("{\"value\": \"changed-meanwhile\"}");
  for (const Status& s : {side->Write(OneField(kSecret), seen.marker), side->Remove(seen.marker)}) {
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(s.message(), "exec ./read.sh changed since it was observed; not writing");
  }
  EXPECT_FALSE(fs::exists(dir_ / "write-ran"));
  EXPECT_EQ(ReadFile(dir_ / "store.json"), "{\"value\": \"changed-meanwhile\"}");
}

TEST_F(ExecSideWriteTest, AnUnreadableSideIsNotWritten) {
  Script("read.sh", "echo 'store locked' >&2; exit 1\n");
  Script("write.sh", "touch write-ran\n");
  auto side = Make();
  Status s = side->Write(OneField(kSecret), ChangeMarker{"missing"});
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.message(), "exec `./read.sh`: exited 1: store locked; not writing");
  EXPECT_FALSE(fs::exists(dir_ / "write-ran"));
}

TEST_F(ExecSideWriteTest, AFailingWriteCarriesStderrsFirstLine) {
  Script("write.sh", "echo 'vault: sealed' >&2\nexit 3\n");
  Status s = Make()->Write(OneField(kSecret), ChangeMarker{"missing"});
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.message(), "exec `./write.sh`: exited 3: vault: sealed");
}

TEST_F(ExecSideWriteTest, StderrEchoingTheValueIsWithheld) {
  // A program that complains by echoing its input, and one echoing the value it replaces.
  Script("write.sh", "echo \"cannot store: $(cat)\" >&2\nexit 1\n");
  Status s = Make()->Write(OneField(kSecret), ChangeMarker{"missing"});
  EXPECT_EQ(s.message(), "exec `./write.sh`: exited 1: (stderr withheld: it contains the value)");

  Store("{\"value\": \"the-old-token\"}");
  Script("write.sh", "echo 'will not replace the-old-token' >&2\nexit 1\n");
  auto side = Make();
  Status old = side->Write(OneField(kSecret), side->Observe().marker);
  EXPECT_EQ(old.message(), "exec `./write.sh`: exited 1: (stderr withheld: it contains the value)");
}

TEST_F(ExecSideWriteTest, TokenLikeStderrIsWithheldOnWriteAndRemove) {
  constexpr char kMaybe[] = "(stderr withheld: it may contain a secret)";
  Script("write.sh", "echo 'lease hvs.CAESIJ1kq7Xw0Zb9Yf3Lm2Np8Qr revoked' >&2\nexit 1\n");
  auto side = Make();
  Status s = side->Write(OneField(kSecret), ChangeMarker{"missing"});
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.message(), std::string("exec `./write.sh`: exited 1: ") + kMaybe);
  Store("{\"value\": \"old\"}");
  EXPECT_EQ(side->Remove(side->Observe().marker).message(),
            std::string("exec `./write.sh`: exited 1: ") + kMaybe);
  // A failing pre-read too.
  Script("read.sh", "echo 'vault holds 0123456789abcdef0123' >&2; exit 1\n");
  EXPECT_EQ(side->Write(OneField(kSecret), ChangeMarker{"missing"}).message(),
            std::string("exec `./read.sh`: exited 1: ") + kMaybe + "; not writing");
  // Ordinary messages are still shown.
  Script("read.sh", "echo '{\"missing\": true}'\n");
  Script("write.sh", "echo 'permission denied: /var/lib/x' >&2\nexit 1\n");
  EXPECT_EQ(side->Write(OneField(kSecret), ChangeMarker{"missing"}).message(),
            "exec `./write.sh`: exited 1: permission denied: /var/lib/x");
}

TEST_F(ExecSideWriteTest, AHangingWriteTimesOut) {
  Script("write.sh", "sleep 30\n");
  SideOptions o = Options();
  o.Set("timeout_ms", OptionValue{std::string("300"), 13});
  Status s = Make(std::move(o))->Write(OneField(kSecret), ChangeMarker{"missing"});
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.message(), "exec `./write.sh`: timed out after 300 ms");
}

TEST_F(ExecSideWriteTest, AValueThatIsNotUtf8IsRefusedBeforeRunningWrite) {
  Script("write.sh", "touch write-ran\n");
  Status s = Make()->Write(OneField("\xff\xfe"), ChangeMarker{"missing"});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "exec `./write.sh`: the value is not valid UTF-8, which a JSON string must "
                         "be; not writing");
  EXPECT_FALSE(fs::exists(dir_ / "write-ran"));
}

// --- CheckWritable ---------------------------------------------------------------------------

TEST_F(ExecSideWriteTest, CheckWritableAcceptsRunnablePrograms) {
  EXPECT_TRUE(Make()->CheckWritable().ok());
  // Bare names are looked up in the programs' PATH, not ours.
  EXPECT_TRUE(Make(Options({"./read.sh"}, {"cat"}))->CheckWritable().ok());
  EXPECT_FALSE(fs::exists(dir_ / "store.json"));  // ran nothing
}

TEST_F(ExecSideWriteTest, CheckWritableNamesAProgramThatCannotRun) {
  auto check = [&](SideOptions o) {
    Status s = Make(std::move(o))->CheckWritable();
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
    return s.message();
  };
  EXPECT_EQ(check(Options({"./read.sh"}, {"no-such-program-seam"})),
            "exec: program `no-such-program-seam` not found in PATH "
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  EXPECT_EQ(check(Options({"./read.sh"}, {"./bin/write.sh"})), "exec: program `./bin/write.sh` not found");
  EXPECT_EQ(check(Options({"./nope.sh"})), "exec: program `./nope.sh` not found");
  testing::WriteFile(dir_ / "plain.sh", "#!/bin/sh\n");
  fs::permissions(dir_ / "plain.sh", fs::perms(0644));
  EXPECT_EQ(check(Options({"./read.sh"}, {"./plain.sh"})), "exec: program `./plain.sh` is not executable");
  SideOptions remove = Options();
  remove.Set("remove", OptionValue{std::vector<std::string>{"/no/such/remove"}, 13});
  EXPECT_EQ(check(std::move(remove)), "exec: program `/no/such/remove` not found");
  SideOptions cwd = Options();
  cwd.Set("cwd", OptionValue{std::string("missing-dir"), 13});
  EXPECT_EQ(check(std::move(cwd)),
            "exec: working directory `" + (dir_ / "missing-dir").string() + "`: No such file or directory");
}

}  // namespace
}  // namespace seam
