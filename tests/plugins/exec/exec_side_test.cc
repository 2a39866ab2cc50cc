// exec side: the factory's config checks and what Observe reports. Writes are in
// exec_side_write_test.cc.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "tests/plugins/exec/exec_side_fixture.h"

namespace seam {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::Contains;
using testing::FieldText;
using testing::kSecret;

class ExecSideTest : public testing::ExecSideFixture {
 protected:
  std::string FactoryError(SideOptions o) {
    auto side = MakeExecSide(o);
    EXPECT_FALSE(side.ok());
    EXPECT_EQ(side.status().code(), StatusCode::kInvalidArgument);
    return side.status().message();
  }
};

constexpr char kWhere[] = "seam `device-token` side `vault`";

// --- factory ---------------------------------------------------------------------------------

TEST_F(ExecSideTest, FactoryRequiresReadAndWrite) {
  SideOptions no_read("seam.toml", dir_.path(), "device-token", "vault", 10);
  no_read.Set("write", OptionValue{std::vector<std::string>{"./write.sh"}, 12});
  EXPECT_EQ(FactoryError(std::move(no_read)),
            std::string("seam.toml:10: ") + kWhere + ": missing required key `read`");
  SideOptions no_write("seam.toml", dir_.path(), "device-token", "vault", 10);
  no_write.Set("read", OptionValue{std::vector<std::string>{"./read.sh"}, 11});
  EXPECT_EQ(FactoryError(std::move(no_write)),
            std::string("seam.toml:10: ") + kWhere + ": missing required key `write`");
}

TEST_F(ExecSideTest, FactoryRefusesAnArgvGivenAsAString) {
  // No shell: "vault-get device-42" is never split into words.
  SideOptions o = Options();
  o.Set("read", OptionValue{std::string("vault-get device-42"), 11});
  EXPECT_EQ(FactoryError(std::move(o)),
            std::string("seam.toml:11: ") + kWhere + ": key `read` must be a list of strings");
}

TEST_F(ExecSideTest, FactoryRefusesAnEmptyArgvOrProgram) {
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{}, std::vector<std::string>{"", "x"}}) {
    EXPECT_EQ(FactoryError(Options({"./read.sh"}, argv)),
              std::string("seam.toml:12: ") + kWhere +
                  ": key `write` must name a program and its arguments, e.g. write = "
                  "[\"/usr/local/bin/vault-get\", \"device-42\"]");
  }
  SideOptions o = Options();
  o.Set("remove", OptionValue{std::vector<std::string>{}, 13});
  EXPECT_TRUE(Contains(FactoryError(std::move(o)), ":13: seam `device-token` side `vault`: key `remove` must name"));
}

TEST_F(ExecSideTest, FactoryRejectsUnknownKeyNamingItsLine) {
  SideOptions o = Options();
  o.Set("timeout", OptionValue{std::string("300"), 14});
  EXPECT_EQ(FactoryError(std::move(o)), std::string("seam.toml:14: ") + kWhere + ": unknown key `timeout`");
}

TEST_F(ExecSideTest, FactoryRefusesABadTimeout) {
  const std::string want = std::string("seam.toml:13: ") + kWhere +
                           ": key `timeout_ms` must be a string of digits from 1 to 600000, e.g. "
                           "timeout_ms = \"5000\"";
  for (const char* bad : {"abc", "0", "600001", "-5", "", "99999999999"}) {
    SideOptions o = Options();
    o.Set("timeout_ms", OptionValue{std::string(bad), 13});
    EXPECT_EQ(FactoryError(std::move(o)), want + ", got \"" + bad + "\"");
  }
  SideOptions integer = Options();
  integer.Set("timeout_ms", OptionValue{std::int64_t{300}, 13});
  EXPECT_EQ(FactoryError(std::move(integer)), want);
}

TEST_F(ExecSideTest, FactoryDoesNoIo) {
  SideOptions o = Options({"./no/such/read"}, {"no-such-writer"});
  o.Set("cwd", OptionValue{std::string("no/such/dir"), 13});
  o.Set("remove", OptionValue{std::vector<std::string>{"/no/such/remove"}, 14});
  auto side = Make(std::move(o));
  ASSERT_NE(side, nullptr);
  EXPECT_EQ(side->Describe(), "exec ./no/such/read");
  EXPECT_FALSE(fs::exists(dir_ / "no"));
}

// --- observe ---------------------------------------------------------------------------------

TEST_F(ExecSideTest, ObservesAValueWithAMarkerThatFollowsTheValue) {
  auto side = Make();
  Store(std::string("{\"value\": \"") + kSecret + "\"}\n");
  Observation o = side->Observe();
  ASSERT_EQ(o.state, Observation::State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o), kSecret);
  EXPECT_EQ(o.changed_at_us, 0);
  EXPECT_FALSE(Contains(o.marker.opaque, kSecret));
  // Same value, other bytes: same marker. Other value: other marker.
  Store(std::string("{ \"value\" : \"") + kSecret + "\" }");
  EXPECT_EQ(side->Observe().marker, o.marker);
  Store("{\"value\": \"other\"}");
  Observation other = side->Observe();
  ASSERT_EQ(other.state, Observation::State::kValue);
  EXPECT_NE(other.marker, o.marker);
}

TEST_F(ExecSideTest, ObservesMissing) {
  auto side = Make();
  Observation o = side->Observe();
  ASSERT_EQ(o.state, Observation::State::kMissing) << o.reason;
  EXPECT_EQ(o.marker.opaque, "missing");
  EXPECT_TRUE(o.answered_absent);  // the program answered null
  Store("{\"value\": null}");
  Observation null = side->Observe();
  EXPECT_EQ(null.state, Observation::State::kMissing);
  EXPECT_EQ(null.marker, o.marker);
}

TEST_F(ExecSideTest, AHangingProgramTimesOutAndItsGroupIsKilled) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(ReasonFor("echo $$ > leader.pid; sleep 30 & echo $! > child.pid; wait\n"),
            "exec `./custom-read.sh`: timed out after 300 ms");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  for (const char* file : {"leader.pid", "child.pid"}) {
    const pid_t pid = testing::ReadPid(dir_ / file);
    ASSERT_GT(pid, 0) << file;
    EXPECT_TRUE(testing::ProcessGone(pid)) << file;
  }
}

// A caller's deadline before the side's timeout ends the read then (its whole group killed),
// and the reason names the deadline.
TEST_F(ExecSideTest, ADeadlineBeforeTheTimeoutEndsTheReadAndSaysSo) {
  Script("slow-read.sh", "echo $$ > leader.pid; sleep 30 & echo $! > child.pid; wait\n");
  SideOptions o = Options({"./slow-read.sh"});
  o.Set("timeout_ms", OptionValue{std::string("20000"), 13});
  auto side = Make(std::move(o));
  const auto start = std::chrono::steady_clock::now();
  Observation obs = side->Observe(start + 300ms);
  EXPECT_EQ(obs.state, Observation::State::kUnreadable);
  EXPECT_EQ(obs.reason.rfind("exec `./slow-read.sh`: no answer by the deadline (", 0), 0u) << obs.reason;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  for (const char* file : {"leader.pid", "child.pid"}) {
    const pid_t pid = testing::ReadPid(dir_ / file);
    ASSERT_GT(pid, 0) << file;
    EXPECT_TRUE(testing::ProcessGone(pid)) << file;
  }
}

TEST_F(ExecSideTest, ADeadlineAlreadyPassedRunsNothing) {
  Script("touch-read.sh", "touch ran\necho '{\"missing\": true}'\n");
  auto side = Make(Options({"./touch-read.sh"}));
  Observation obs = side->Observe(std::chrono::steady_clock::now() - 1ms);
  EXPECT_EQ(obs.state, Observation::State::kUnreadable);
  EXPECT_EQ(obs.reason, "exec `./touch-read.sh`: no answer by the deadline (0 ms)");
  EXPECT_FALSE(fs::exists(dir_ / "ran"));
  EXPECT_EQ(Make(Options({"./touch-read.sh"}))->Observe(std::chrono::steady_clock::now() + 10s).state,
            Observation::State::kMissing);
  EXPECT_TRUE(fs::exists(dir_ / "ran"));
}

TEST_F(ExecSideTest, FloodingStdoutIsUnreadable) {
  EXPECT_EQ(ReasonFor("exec yes\n"), "exec `./custom-read.sh`: printed more than 1 MiB on stdout");
}

TEST_F(ExecSideTest, ANonZeroExitCarriesStderrsFirstLine) {
  EXPECT_EQ(ReasonFor("echo 'vault: permission denied for device-42' >&2\necho second >&2\nexit 1\n"),
            "exec `./custom-read.sh`: exited 1: vault: permission denied for device-42");
  EXPECT_EQ(ReasonFor("exit 7\n"), "exec `./custom-read.sh`: exited 7");
  std::string pairs;
  for (int i = 0; i < 100; ++i) pairs += "a ";
  EXPECT_EQ(ReasonFor("printf '%0300d' 0 | sed 's/0/a /g' >&2; exit 1\n"),
            "exec `./custom-read.sh`: exited 1: " + pairs + "...");
  // A Python traceback: its header says nothing, its last line says what went wrong.
  EXPECT_EQ(ReasonFor("printf 'Traceback (most recent call last):\\n  File \"/usr/bin/vault-read\", line 3, in <module>\\n"
                      "KeyError: device-42\\n\\n' >&2\nexit 1\n"),
            "exec `./custom-read.sh`: exited 1: KeyError: device-42");
}

TEST_F(ExecSideTest, TokenLikeStderrIsWithheldOnObserve) {
  // seam does not know the vault's token, but it looks like one.
  EXPECT_EQ(ReasonFor("echo 'vault holds hvs.CAESIJ1kq7Xw0Zb9Yf3Lm2Np8Qr' >&2\nexit 1\n"),
            "exec `./custom-read.sh`: exited 1: (stderr withheld: it may contain a secret)");
  EXPECT_EQ(ReasonFor("echo 'vault holds 0123456789abcdef' >&2\nexit 1\n"),
            "exec `./custom-read.sh`: exited 1: (stderr withheld: it may contain a secret)");
  // Ordinary messages are still shown.
  EXPECT_EQ(ReasonFor("echo 'permission denied: /var/lib/x' >&2\nexit 1\n"),
            "exec `./custom-read.sh`: exited 1: permission denied: /var/lib/x");
}

TEST_F(ExecSideTest, BackgroundProcessesOfReadDoNotOutliveIt) {
  Script("bg-read.sh",
         "sleep 300 </dev/null >/dev/null & echo $! > bg.pid\necho '{\"missing\": true}'\n");
  SideOptions o = Options({"./bg-read.sh"});
  o.Set("timeout_ms", OptionValue{std::string("5000"), 13});
  const auto start = std::chrono::steady_clock::now();
  Observation obs = Make(std::move(o))->Observe();
  EXPECT_EQ(obs.state, Observation::State::kMissing) << obs.reason;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  const pid_t bg = testing::ReadPid(dir_ / "bg.pid");
  ASSERT_GT(bg, 0);
  EXPECT_TRUE(testing::ProcessGone(bg));
}

TEST_F(ExecSideTest, AFailingReadThatEchoesItsValueOnStderrIsWithheld) {
  EXPECT_EQ(ReasonFor(std::string("echo '{\"value\": \"") + kSecret + "\"}'\necho 'bad token " +
                      kSecret + "' >&2\nexit 2\n"),
            "exec `./custom-read.sh`: exited 2: (stderr withheld: it contains the value)");
}

TEST_F(ExecSideTest, ACrashIsUnreadable) {
  EXPECT_EQ(ReasonFor("kill -SEGV $$\n"), "exec `./custom-read.sh`: killed by signal 11 (SIGSEGV)");
}

TEST_F(ExecSideTest, NonJsonIsUnreadableWithItsPosition) {
  const std::string reason = ReasonFor(std::string("echo '{'\necho '  \"value\": ") + kSecret + "'\necho '}'\n");
  EXPECT_EQ(reason, "exec `./custom-read.sh`: printed non-JSON at line 2 column 12; expected "
                    "{\"value\": \"...\"} or {\"missing\": true}");
}

TEST_F(ExecSideTest, BadJsonIsUnreadableWithStderrsFirstLine) {
  constexpr char kExpected[] = "; expected {\"value\": \"...\"} or {\"missing\": true}";
  EXPECT_EQ(ReasonFor("echo 'vault: warning: token expires soon' >&2\necho 'not json'\n"),
            std::string("exec `./custom-read.sh`: printed non-JSON at line 1 column 2") + kExpected +
                "; stderr: vault: warning: token expires soon");
  EXPECT_EQ(ReasonFor("echo '[]'\n"),
            std::string("exec `./custom-read.sh`: printed an array, not a JSON object") + kExpected);
  // Withheld as on a failing exit.
  EXPECT_EQ(ReasonFor("echo 'renewed to hvs.CAESIJ1kq7Xw0Zb9Yf3Lm2Np8Qr' >&2\necho 'not json'\n"),
            std::string("exec `./custom-read.sh`: printed non-JSON at line 1 column 2") + kExpected +
                "; stderr: (stderr withheld: it may contain a secret)");
}

TEST_F(ExecSideTest, AValueThatIsNotAStringIsUnreadable) {
  EXPECT_TRUE(Contains(ReasonFor("echo '{\"value\": 42}'\n"),
                       "exec `./custom-read.sh`: \"value\" is a number, not a string"));
  EXPECT_TRUE(Contains(ReasonFor("echo '{\"missing\": false}'\n"), "\"missing\" must be true"));
}

TEST_F(ExecSideTest, AMissingProgramIsUnreadable) {
  SideOptions o = Options({"./nope.sh"});
  Observation obs = Make(std::move(o))->Observe();
  EXPECT_EQ(obs.state, Observation::State::kUnreadable);
  EXPECT_EQ(obs.reason, "exec `./nope.sh`: program `./nope.sh` not found");
}

TEST_F(ExecSideTest, TheEnvironmentIsCleaned) {
  ASSERT_EQ(::setenv("SEAM_EXEC_TEST_LEAK", "leak", 1), 0);
  Script("env-read.sh", "env > env.txt\necho '{\"missing\": true}'\n");
  ASSERT_EQ(Make(Options({"./env-read.sh"}))->Observe().state, Observation::State::kMissing);
  const std::string env = testing::ReadFile(dir_ / "env.txt");
  EXPECT_TRUE(Contains(env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n")) << env;
  EXPECT_TRUE(Contains(env, "LANG=C.UTF-8\n")) << env;
  EXPECT_TRUE(Contains(env, "SEAM_SEAM=device-token\n")) << env;
  EXPECT_TRUE(Contains(env, "SEAM_SIDE=vault\n")) << env;
  // Nothing else, but what the shell sets for itself.
  std::istringstream lines(env);
  for (std::string line; std::getline(lines, line);) {
    const std::string name = line.substr(0, line.find('='));
    EXPECT_TRUE(name == "PATH" || name == "LANG" || name == "SEAM_SEAM" || name == "SEAM_SIDE" ||
                name == "PWD" || name == "SHLVL" || name == "_" || name == "OLDPWD")
        << line;
  }
}

TEST_F(ExecSideTest, ProgramsRunInCwdDefaultingToTheConfigDirectory) {
  Script("pwd-read.sh", "pwd > \"$1\"\necho '{\"missing\": true}'\n");
  ASSERT_EQ(Make(Options({"./pwd-read.sh", "pwd.txt"}))->Observe().state, Observation::State::kMissing);
  EXPECT_EQ(testing::ReadFile(dir_ / "pwd.txt"), fs::canonical(dir_.path()).string() + "\n");

  fs::create_directories(dir_ / "sub");
  SideOptions o = Options({"../pwd-read.sh", "pwd.txt"});
  o.Set("cwd", OptionValue{std::string("sub"), 13});
  ASSERT_EQ(Make(std::move(o))->Observe().state, Observation::State::kMissing);
  EXPECT_EQ(testing::ReadFile(dir_ / "sub/pwd.txt"), fs::canonical(dir_ / "sub").string() + "\n");
}

}  // namespace
}  // namespace seam
