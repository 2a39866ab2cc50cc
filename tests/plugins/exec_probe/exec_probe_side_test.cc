// exec-probe: the factory's checks, what Observe answers for each way the probe answers (the
// intended value accepted, an older one, none, an unknown answer, a deadline), how many values
// it tries, what the programs get, and Write/Remove. The candidates come from a fixed source
// here; tests/e2e/e2e_probe_test.cc gets them from a real log.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/side_options.h"
#include "plugins/exec_probe/exec_probe_side.h"
#include "tests/plugins/common/probe_fixture.h"
#include "tests/plugins/exec/exec_fixture.h"

namespace seam {
namespace {

namespace fs = std::filesystem;
using testing::Contains;
using testing::ReadFile;
using testing::WriteFile;
using testing::WriteScript;

constexpr char kWhere[] = "seam.toml:10: seam `db-password` side `db`";
// Values the "service" knows: the script accepts the one in accepted.txt.
constexpr char kV7[] = "Intended-Pa55word-v7";
constexpr char kV5[] = "Older-Pa55word-v5";
constexpr char kV3[] = "Oldest-Pa55word-v3";

class ExecProbeTest : public testing::ProbeFixture {
 protected:
  ExecProbeTest() : ProbeFixture(&MakeExecProbeSide, "value") {
    candidates_ = ProbeCandidates{true, {Candidate(7, kV7), Candidate(5, kV5), Candidate(3, kV3)}};
    // The service: accepts exactly what accepted.txt holds; logs every attempt's version.
    WriteScript(dir_ / "probe.sh",
                "v=$(cat); echo \"$SEAM_VERSION\" >> attempts.txt\n"
                "[ \"$v\" = \"$(cat accepted.txt)\" ] && exit 0; exit 1\n");
    WriteScript(dir_ / "write.sh", "cat > accepted.txt\n");
    WriteFile(dir_ / "accepted.txt", kV7);
  }
  SideOptions Options() {
    SideOptions o("seam.toml", dir_.path(), "db-password", "db", 10);
    o.SetKind(KindFields{"value", {"value"}, "value"});
    o.Set("probe", OptionValue{std::vector<std::string>{"./probe.sh"}, 11});
    o.Set("write", OptionValue{std::vector<std::string>{"./write.sh"}, 12});
    return o;
  }
  using ProbeFixture::Make;
  std::unique_ptr<Side> Make() { return Make(Options()); }
  std::vector<std::string> Attempts() const {
    std::vector<std::string> out;
    std::string text = ReadFile(dir_ / "attempts.txt");
    for (std::size_t at = 0; at < text.size();) {
      std::size_t nl = text.find('\n', at);
      out.push_back(text.substr(at, nl - at));
      at = nl + 1;
    }
    return out;
  }

  testing::TempDir dir_;
};

TEST_F(ExecProbeTest, FactoryChecksItsKeys) {
  SideOptions no_probe("seam.toml", dir_.path(), "db-password", "db", 10);
  no_probe.SetKind(KindFields{"value", {"value"}, "value"});
  EXPECT_EQ(FactoryError(std::move(no_probe)), std::string(kWhere) + ": missing required key `probe`");
  for (const char* bad : {"21", "-1", "x", "", "3.0"}) {
    SideOptions o = Options();
    o.Set("probe_history", OptionValue{std::string(bad), 13});
    EXPECT_EQ(FactoryError(std::move(o)),
              std::string("seam.toml:13: seam `db-password` side `db`: key `probe_history` must be a string of digits "
                          "from 0 to 20 (earlier values tried after the intended one), e.g. probe_history = \"3\", got \"") +
                  bad + "\"");
  }
  SideOptions field = Options();
  field.Set("field", OptionValue{std::string("token"), 14});
  EXPECT_EQ(FactoryError(std::move(field)), "seam.toml:14: seam `db-password` side `db`: key `field` names `token`, but "
                                            "kind `value` has no such field; its fields: value");
  SideOptions unknown = Options();
  unknown.Set("read", OptionValue{std::vector<std::string>{"./probe.sh"}, 15});
  EXPECT_EQ(FactoryError(std::move(unknown)), "seam.toml:15: seam `db-password` side `db`: unknown key `read`");
}

TEST_F(ExecProbeTest, TheIntendedValueAcceptedIsHeldAndTriedAlone) {
  auto side = Make();
  ASSERT_TRUE(side->Probes());
  Observation o = side->Observe();
  ASSERT_EQ(o.state, Observation::State::kValue) << o.reason;
  ASSERT_NE(o.Field("value"), nullptr);
  EXPECT_EQ(o.Field("value")->Reveal(), kV7);
  EXPECT_FALSE(o.none_accepted);
  EXPECT_EQ(Attempts(), std::vector<std::string>{"7"}) << "one attempt, with SEAM_VERSION";
  EXPECT_EQ(asked_older_, 3u) << "probe_history defaults to 3";
  // The marker follows the value accepted, never shows it.
  EXPECT_FALSE(Contains(o.marker.opaque, kV7));
  EXPECT_EQ(side->Observe().marker, o.marker);
}

TEST_F(ExecProbeTest, AnOlderValueAcceptedIsHeldNewestFirst) {
  WriteFile(dir_ / "accepted.txt", kV3);
  auto side = Make();
  Observation o = side->Observe();
  ASSERT_EQ(o.state, Observation::State::kValue) << o.reason;
  EXPECT_EQ(o.Field("value")->Reveal(), kV3);
  EXPECT_EQ(Attempts(), (std::vector<std::string>{"7", "5", "3"}));
}

TEST_F(ExecProbeTest, NoneAcceptedSaysWhatWasTriedWithinTheHistory) {
  WriteFile(dir_ / "accepted.txt", "something-else-entirely");
  SideOptions options = Options();
  options.Set("probe_history", OptionValue{std::string("1"), 13});
  auto side = Make(std::move(options));
  Observation o = side->Observe();
  EXPECT_EQ(asked_older_, 1u);
  ASSERT_EQ(o.state, Observation::State::kValue);
  EXPECT_TRUE(o.none_accepted);
  EXPECT_TRUE(o.fields.empty());
  // The source was asked for one older value; it gave more, and the side still tried only that.
  EXPECT_EQ(Attempts(), (std::vector<std::string>{"7", "5", "3"})) << "the source's list is the side's limit";
  EXPECT_EQ(o.reason, "rejects version 7 (intended) and 2 earlier ones");
  candidates_ = ProbeCandidates{true, {Candidate(9, "x")}};
  EXPECT_EQ(side->Observe().reason, "rejects version 9 (intended)") << "a source without revisions";
  candidates_ = ProbeCandidates{true, {ProbeCandidate{9, Record{{"value", Secret(std::string("x"))}}, 4},
                                       ProbeCandidate{5, Record{{"value", Secret(std::string("y"))}}, 2}}};
  EXPECT_EQ(side->Observe().reason, "rejects rev 4 (intended) and 1 earlier one") << "people read revisions";
}

TEST_F(ExecProbeTest, NothingToAskIsMissingAndNoSourceIsUnreadable) {
  candidates_ = ProbeCandidates{false, {}};
  auto side = Make();
  Observation o = side->Observe();
  EXPECT_EQ(o.state, Observation::State::kMissing);
  EXPECT_FALSE(o.answered_absent);
  EXPECT_FALSE(fs::exists(dir_ / "attempts.txt")) << "nothing was run";

  SideOptions options = Options();
  auto bare = MakeExecProbeSide(options);
  ASSERT_TRUE(bare.ok());
  Observation unsourced = (*bare)->Observe();
  EXPECT_EQ(unsourced.state, Observation::State::kUnreadable);
  EXPECT_EQ(unsourced.reason, "exec-probe: nothing to ask about: the log is not open here");

  auto failing = Make();
  failing->SetCandidateSource([](std::size_t) -> Result<ProbeCandidates> {
    return Status::IoError("cannot read the log for the values to try: disk I/O error");
  });
  EXPECT_EQ(failing->Observe().reason, "exec-probe: cannot read the log for the values to try: disk I/O error");
}

TEST_F(ExecProbeTest, AnAnswerNeitherYesNorNoStopsTheTriesAndNeverShowsTheValue) {
  // The service is down: psql's exit 2, its stderr echoing the candidate.
  WriteScript(dir_ / "probe.sh",
              "v=$(cat); echo \"$SEAM_VERSION\" >> attempts.txt\n"
              "echo \"connection to server failed for $v\" >&2; echo 'could not connect to server' >&2; exit 2\n");
  auto side = Make();
  Observation o = side->Observe();
  ASSERT_EQ(o.state, Observation::State::kUnreadable);
  EXPECT_EQ(o.reason, "exec-probe: `./probe.sh`: exited 2: (stderr withheld: it contains the value)");
  EXPECT_EQ(Attempts(), std::vector<std::string>{"7"}) << "no more logins once the answer is unknown";

  WriteScript(dir_ / "probe.sh", "cat >/dev/null; echo 'could not connect to server' >&2; exit 2\n");
  EXPECT_EQ(Make()->Observe().reason, "exec-probe: `./probe.sh`: exited 2: could not connect to server");
  WriteScript(dir_ / "probe.sh", "cat >/dev/null; kill -9 $$\n");
  EXPECT_EQ(Make()->Observe().reason, "exec-probe: `./probe.sh`: killed by signal 9 (SIGKILL)");
  WriteScript(dir_ / "probe.sh", "cat >/dev/null; sleep 5\n");
  SideOptions slow = Options();
  slow.Set("timeout_ms", OptionValue{std::string("200"), 13});
  EXPECT_EQ(Make(std::move(slow))->Observe().reason, "exec-probe: `./probe.sh`: timed out after 200 ms");
  SideOptions missing = Options();
  missing.Set("probe", OptionValue{std::vector<std::string>{"./no-such-probe"}, 11});
  EXPECT_TRUE(Contains(Make(std::move(missing))->Observe().reason, "exec-probe: `./no-such-probe`: ")) ;
}

TEST_F(ExecProbeTest, AFloodOnStdoutIsCutAtItsCapAndStopsTheTries) {
  WriteScript(dir_ / "probe.sh", "cat >/dev/null; echo \"$SEAM_VERSION\" >> attempts.txt; exec yes\n");
  auto side = Make();
  const auto started = std::chrono::steady_clock::now();
  Observation o = side->Observe();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  ASSERT_EQ(o.state, Observation::State::kUnreadable);
  EXPECT_EQ(o.reason, "exec-probe: `./probe.sh`: printed more than 1 MiB on stdout");
  EXPECT_EQ(Attempts(), std::vector<std::string>{"7"});
}

TEST_F(ExecProbeTest, ADeadlineCutsTheProbeShort) {
  WriteScript(dir_ / "probe.sh", "cat >/dev/null; sleep 5\n");
  auto side = Make();
  const auto started = std::chrono::steady_clock::now();
  Observation o = side->Observe(started + std::chrono::milliseconds(150));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  ASSERT_EQ(o.state, Observation::State::kUnreadable);
  EXPECT_TRUE(Contains(o.reason, "exec-probe: no answer by the deadline")) << o.reason;
}

TEST_F(ExecProbeTest, TheProbeGetsTheValueAloneOnStdin) {
  WriteScript(dir_ / "probe.sh", "cat > got.bin; exit 0\n");
  candidates_ = ProbeCandidates{true, {Candidate(2, "a b'c\"$d\\e")}};
  ASSERT_EQ(Make()->Observe().state, Observation::State::kValue);
  EXPECT_EQ(ReadFile(dir_ / "got.bin"), "a b'c\"$d\\e") << "the bytes, no newline, no JSON";
}

TEST_F(ExecProbeTest, WriteRunsWriteWithTheValueAfterTheSameAnswerAgain) {
  WriteFile(dir_ / "accepted.txt", kV5);
  auto side = Make();
  ASSERT_TRUE(side->Writable());
  EXPECT_TRUE(side->CheckWritable().ok());
  Observation before = side->Observe();
  ASSERT_EQ(before.Field("value")->Reveal(), kV5);
  // Someone else changed the service meanwhile: refused, nothing written.
  WriteFile(dir_ / "accepted.txt", kV3);
  Status refused = side->Write(Record{{"value", Secret(std::string(kV7))}}, before.marker);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.message(), "exec-probe ./probe.sh changed since it was observed; not writing");
  EXPECT_EQ(ReadFile(dir_ / "accepted.txt"), kV3);
  // Unchanged: written, and the probe now accepts the intended value.
  before = side->Observe();
  ASSERT_TRUE(side->Write(Record{{"value", Secret(std::string(kV7))}}, before.marker).ok());
  EXPECT_EQ(ReadFile(dir_ / "accepted.txt"), kV7);
  EXPECT_EQ(side->Observe().Field("value")->Reveal(), kV7);
}

TEST_F(ExecProbeTest, AFailingWriteSaysHowWithoutTheValue) {
  WriteScript(dir_ / "write.sh", "v=$(cat); echo \"ERROR: cannot set $v\" >&2; exit 4\n");
  auto side = Make();
  Observation before = side->Observe();
  Status st = side->Write(Record{{"value", Secret(std::string(kV7))}}, before.marker);
  EXPECT_EQ(st.code(), StatusCode::kIoError);
  EXPECT_EQ(st.message(), "exec-probe `./write.sh`: exited 4: (stderr withheld: it contains the value)");
}

TEST_F(ExecProbeTest, WithoutWriteItIsObserveOnlyAndRemoveNeedsRemove) {
  SideOptions o = Options();
  SideOptions bare("seam.toml", dir_.path(), "db-password", "db", 10);
  bare.SetKind(KindFields{"value", {"value"}, "value"});
  bare.Set("probe", OptionValue{std::vector<std::string>{"./probe.sh"}, 11});
  auto side = Make(std::move(bare));
  EXPECT_FALSE(side->Writable());
  EXPECT_TRUE(side->CheckWritable().ok()) << "operations skip observe-only sides";
  Observation now = side->Observe();
  EXPECT_EQ(side->Write(Record{{"value", Secret(std::string(kV7))}}, now.marker).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Make()->Remove(now.marker).message(),
            "exec-probe ./probe.sh has no `remove` command: seam cannot make the service drop the value");
  o.Set("remove", OptionValue{std::vector<std::string>{"./remove.sh"}, 13});
  WriteScript(dir_ / "remove.sh", "rm accepted.txt; touch accepted.txt\n");
  auto removable = Make(std::move(o));
  ASSERT_TRUE(removable->Remove(removable->Observe().marker).ok());
  EXPECT_EQ(ReadFile(dir_ / "accepted.txt"), "");
  EXPECT_TRUE(removable->Observe().none_accepted);
}

TEST_F(ExecProbeTest, CheckWritableNamesAMissingProgram) {
  SideOptions o = Options();
  o.Set("write", OptionValue{std::vector<std::string>{"./no-such-write"}, 12});
  Status st = Make(std::move(o))->CheckWritable();
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(st.message(), "exec-probe: program `./no-such-write`")) << st.message();
}

}  // namespace
}  // namespace seam
