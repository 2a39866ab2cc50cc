// Plaintext secrets never reach the database, its WAL, or anything seamctl prints, at any log
// level: people see keyed fingerprints only. Nor do the key file's bytes.
#include <gtest/gtest.h>

#include <set>

#include "tests/e2e/e2e_fixture.h"

namespace seam::e2e {
namespace {

using seam::testing::ReadFile;

std::string Hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

class SecretsTest : public SeamctlTest {
 protected:
  // Runs the command at the default level and at trace (both kept in transcript_).
  void RunBoth(const std::vector<std::string>& args, int expected_code) {
    ProcessResult plain = Seamctl(args);
    EXPECT_EQ(plain.exit_code, expected_code) << ::testing::PrintToString(args) << plain.out << plain.err;
    std::vector<std::string> traced{"--log-level", "trace"};
    traced.insert(traced.end(), args.begin(), args.end());
    ProcessResult trace = Seamctl(traced);
    EXPECT_EQ(trace.exit_code, expected_code) << ::testing::PrintToString(traced) << trace.out << trace.err;
  }
  // Every read command, at both levels.
  void ReadEverything(int check_code) {
    RunBoth({"check"}, check_code);
    RunBoth({"check", "--json"}, check_code);
    RunBoth({"repair", "--dry-run"}, check_code);
    RunBoth({"repair", "--dry-run", "--json"}, check_code);
    RunBoth({"log"}, 0);
    RunBoth({"log", "--json"}, 0);
    RunBoth({"log", "--seam", kSeam}, 0);
    RunBoth({"verify"}, 0);
    RunBoth({"verify", "--json"}, 0);
  }
  // Records the cli's current token as a secret, and checks the state directory right now (the
  // WAL is removed when the last connection closes, so it is looked at after every step).
  void Remember() {
    if (std::optional<std::string> t = CliToken()) secrets_.insert(*t);
    ExpectStateDirClean();
  }
  void ExpectStateDirClean() {
    for (const char* name : {"events.db", "events.db-wal", "events.db-shm"}) {
      const std::string bytes = ReadFile(DbFile().parent_path() / name);
      for (const std::string& s : secrets_) {
        EXPECT_FALSE(Contains(bytes, s)) << "a plaintext token is in " << name;
      }
      EXPECT_FALSE(Contains(bytes, key_)) << "the key is in " << name;
    }
  }

  std::set<std::string> secrets_;
  std::string key_;
};

TEST_F(SecretsTest, PlaintextTokensAndTheKeyAppearNowhere) {
  ASSERT_NO_FATAL_FAILURE(InitStandard());
  key_ = ReadFile(KeyFile());
  ASSERT_EQ(key_.size(), 32U);

  ProcessResult issue = Seamctl({"--log-level", "trace", "token", "issue", kSeam});
  ASSERT_EQ(issue.exit_code, 0) << issue.err;
  Remember();
  const std::string v1 = *CliToken();
  ReadEverything(0);

  ASSERT_EQ(Seamctl({"--log-level", "trace", "token", "rotate", kSeam}).exit_code, 0);
  Remember();
  ASSERT_EQ(Seamctl({"token", "rotate", kSeam}).exit_code, 0);
  Remember();

  // Lagging (an old token back on the cli), seen and repaired.
  SetCliToken(v1);
  ReadEverything(1);
  ProcessResult repair = Seamctl({"--log-level", "trace", "repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.err;
  Remember();

  // Foreign: a hand-written value, then adopted into the log (so it becomes a secret too).
  const std::string hand = "hand-written-secret-value-0123456789";
  SetCliToken(hand);
  Remember();
  ReadEverything(1);
  ProcessResult adopt = Seamctl({"--log-level", "trace", "adopt", kSeam, "--from", "cli"});
  EXPECT_EQ(adopt.exit_code, 0) << adopt.err;
  Remember();
  ReadEverything(0);

  // Drift again and a repair at the default level; then revoke.
  SetCliToken("another-hand-value-abcdefghijklmnop");
  Remember();
  EXPECT_EQ(Seamctl({"repair", "--json"}).exit_code, 0);
  Remember();
  ASSERT_EQ(Seamctl({"--log-level", "trace", "token", "revoke", kSeam}).exit_code, 0);
  ReadEverything(0);
  ExpectStateDirClean();

  ASSERT_GE(secrets_.size(), 5U);
  const std::string key_hex = Hex(key_);
  for (const ProcessResult& r : transcript_) {
    const std::string all = r.out + r.err;
    for (const std::string& s : secrets_) {
      EXPECT_FALSE(Contains(all, s)) << "a plaintext token was printed:\n" << all;
      EXPECT_FALSE(Contains(all, Sha256HexOf(s))) << "a token's plain SHA-256 was printed:\n" << all;
    }
    EXPECT_FALSE(Contains(all, key_)) << "the key's bytes were printed";
    EXPECT_FALSE(Contains(all, key_hex)) << "the key's hex was printed";
  }
  // trace logging did produce something to look at, so the test above is not vacuous.
  EXPECT_TRUE(Contains(issue.err, "trace") || Contains(issue.err, "info") || Contains(issue.err, "debug"))
      << issue.err;
}

TEST_F(SecretsTest, LogLevelFromTheEnvironmentLeaksNothingEither) {
  ASSERT_NO_FATAL_FAILURE(InitStandard());
  key_ = ReadFile(KeyFile());
  const std::map<std::string, std::string> env{{"SEAM_LOG_LEVEL", "trace"}};
  ASSERT_EQ(Seamctl({"token", "issue", kSeam}, env).exit_code, 0);
  Remember();
  SetCliToken("foreign-value-for-env-test-xyz");
  Remember();
  EXPECT_EQ(Seamctl({"check"}, env).exit_code, 1);
  EXPECT_EQ(Seamctl({"repair"}, env).exit_code, 0);
  Remember();
  for (const ProcessResult& r : transcript_) {
    for (const std::string& s : secrets_) EXPECT_FALSE(Contains(r.out + r.err, s)) << r.out << r.err;
    EXPECT_FALSE(Contains(r.out + r.err, key_));
  }
}

}  // namespace
}  // namespace seam::e2e
