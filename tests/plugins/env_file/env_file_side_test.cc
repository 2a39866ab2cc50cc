// env-file on real files: what it observes, a write that changes only the value's bytes (a
// commented dotenv file, a systemd EnvironmentFile, a docker --env-file), appends and removals,
// compare-and-swap, modes, and every refusal leaving the file as it was.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "plugins/env_file/env_file_side.h"
#include "tests/support/records.h"
#include "tests/support/temp_dir.h"

namespace seam {
namespace {

namespace fs = std::filesystem;
using testing::FieldText;
using testing::OneField;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

constexpr char kSecret[] = "n3w-s3cret-Value";

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

class EnvFileSideTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<Side>> Try(const std::string& variable, const std::string& dialect = "",
                                    const std::string& path = "app.env") {
    SideOptions o("seam.toml", dir_.path(), "db-password", "env", 10);
    o.Set("path", OptionValue{path, 11});
    if (!variable.empty()) o.Set("variable", OptionValue{variable, 12});
    if (!dialect.empty()) o.Set("dialect", OptionValue{dialect, 13});
    return MakeEnvFileSide(o);
  }
  std::unique_ptr<Side> Make(const std::string& variable, const std::string& dialect = "") {
    auto side = Try(variable, dialect);
    EXPECT_TRUE(side.ok()) << side.status().ToString();
    return side.ok() ? std::move(side).value() : nullptr;
  }
  fs::path File() const { return dir_.path() / "app.env"; }
  std::string Content() const { return ReadFile(File()); }
  // Writes `value` against a fresh observation.
  Status Set(Side& side, const std::string& value) { return side.Write(OneField(value), side.Observe().marker); }

  TempDir dir_;
};

TEST_F(EnvFileSideTest, ObservesTheVariableAsTheDialectReadsIt) {
  WriteFile(File(), "# app\nexport DB_PASSWORD='p@ss word' # old\nOTHER=1\n");
  auto side = Make("DB_PASSWORD");
  ASSERT_TRUE(side);
  Observation o = side->Observe();
  ASSERT_EQ(o.state, Observation::State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o), "p@ss word");
  EXPECT_EQ(side->Describe(), "env-file " + File().string() + " $DB_PASSWORD");

  auto absent = Make("NOT_THERE");
  Observation a = absent->Observe();
  EXPECT_EQ(a.state, Observation::State::kMissing);
  EXPECT_TRUE(a.answered_absent) << "the file exists and does not define it";
  fs::remove(File());
  Observation gone = side->Observe();
  EXPECT_EQ(gone.state, Observation::State::kMissing);
  EXPECT_FALSE(gone.answered_absent);
}

TEST_F(EnvFileSideTest, ASetChangesOnlyTheValuesBytesInEveryDialect) {
  struct Case {
    std::string dialect, before, after;
  } cases[] = {
      {"dotenv",
       "# Database settings (keep in sync with config.yaml)\n\nexport DB_HOST=db.internal   # primary\n"
       "DB_PASSWORD=\"old-pass\"  # rotated by seam\n  API_URL = 'https://api.example'\n",
       "# Database settings (keep in sync with config.yaml)\n\nexport DB_HOST=db.internal   # primary\n"
       "DB_PASSWORD=\"n3w-s3cret-Value\"  # rotated by seam\n  API_URL = 'https://api.example'\n"},
      {"systemd", "; unit environment\nDB_PASSWORD=old-pass\nLANG=C.UTF-8\n",
       "; unit environment\nDB_PASSWORD=n3w-s3cret-Value\nLANG=C.UTF-8\n"},
      {"docker", "# compose\nDB_PASSWORD=old-pass\nQUOTED=\"kept as is\"\n",
       "# compose\nDB_PASSWORD=n3w-s3cret-Value\nQUOTED=\"kept as is\"\n"},
  };
  for (const Case& c : cases) {
    WriteFile(File(), c.before);
    auto side = Make("DB_PASSWORD", c.dialect);
    ASSERT_TRUE(side);
    ASSERT_TRUE(Set(*side, kSecret).ok()) << c.dialect;
    EXPECT_EQ(Content(), c.after) << c.dialect;
    EXPECT_EQ(FieldText(side->Observe()), kSecret) << c.dialect;
  }
}

TEST_F(EnvFileSideTest, AnAbsentVariableIsAppendedAndARemovalDeletesItsLineOnly) {
  WriteFile(File(), "A=1\n# keep me\nB=2");  // no final newline
  auto side = Make("TOKEN");
  ASSERT_TRUE(Set(*side, "with space").ok());
  EXPECT_EQ(Content(), "A=1\n# keep me\nB=2\nTOKEN='with space'\n");
  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());
  EXPECT_EQ(Content(), "A=1\n# keep me\nB=2\n");
  // A missing file is created, 0600.
  fs::remove(File());
  ASSERT_TRUE(Set(*side, kSecret).ok());
  EXPECT_EQ(Content(), std::string("TOKEN=") + kSecret + "\n");
  struct stat st {};
  ASSERT_EQ(::stat(File().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(EnvFileSideTest, TheModeIsKeptAndASecondSetOfTheSameValueWritesNothing) {
  WriteFile(File(), "TOKEN=old\n");
  ASSERT_EQ(::chmod(File().c_str(), 0640), 0);
  auto side = Make("TOKEN");
  ASSERT_TRUE(Set(*side, kSecret).ok());
  struct stat st {};
  ASSERT_EQ(::stat(File().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  const ino_t inode = st.st_ino;
  ASSERT_TRUE(Set(*side, kSecret).ok());
  ASSERT_EQ(::stat(File().c_str(), &st), 0);
  EXPECT_EQ(st.st_ino, inode) << "nothing changed, nothing replaced";
}

TEST_F(EnvFileSideTest, RefusalsLeaveTheFileAsItWasAndNeverNameTheValue) {
  const std::string before = "TOKEN=old\nTOKEN=older\n";
  WriteFile(File(), before);
  auto side = Make("TOKEN");
  Observation twice = side->Observe();
  EXPECT_EQ(twice.state, Observation::State::kUnreadable);
  EXPECT_EQ(twice.reason, File().string() + ": TOKEN is defined more than once (lines 1 and 2); which one a reader "
                                            "takes differs");
  Status s = side->Write(OneField(kSecret), twice.marker);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Content(), before);
  EXPECT_EQ(side->CheckWritable().code(), StatusCode::kFailedPrecondition);

  // Malformed: file:line:column, nothing written.
  const std::string broken = "OK=1\nTOKEN=\"s3cret-in-an-unterminated-quote\n";
  WriteFile(File(), broken);
  Observation bad = side->Observe();
  ASSERT_EQ(bad.state, Observation::State::kUnreadable);
  EXPECT_EQ(bad.reason, File().string() + ":2:7: unterminated double quote");
  EXPECT_FALSE(Contains(bad.reason, "s3cret"));
  EXPECT_EQ(side->Write(OneField(kSecret), bad.marker).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Content(), broken);

  // Changed since observed: compare-and-swap.
  WriteFile(File(), "TOKEN=old\n");
  const ChangeMarker seen = side->Observe().marker;
  WriteFile(File(), "TOKEN=someone-else\n");
  EXPECT_EQ(side->Write(OneField(kSecret), seen).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Content(), "TOKEN=someone-else\n");

  // A value the dialect cannot hold.
  WriteFile(File(), "TOKEN=old\n");
  auto docker = Make("TOKEN", "docker");
  Status newline = Set(*docker, "two\nlines-s3cret");
  EXPECT_EQ(newline.code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(Contains(newline.message(), "s3cret"));
  EXPECT_EQ(Content(), "TOKEN=old\n");

  // Docker's bare KEY takes its value from the environment: not ours to read or write.
  WriteFile(File(), "TOKEN\n");
  Observation bare = docker->Observe();
  EXPECT_EQ(bare.state, Observation::State::kUnreadable);
  EXPECT_EQ(bare.reason, File().string() + ":1: TOKEN takes its value from docker's environment, which seam cannot see");
}

TEST_F(EnvFileSideTest, HostileFilesAreUnreadableAndSymlinksAreNeverWrittenThrough) {
  auto side = Make("TOKEN");
  fs::create_directory(File());
  EXPECT_EQ(side->Observe().state, Observation::State::kUnreadable);
  fs::remove(File());
  WriteFile(File(), std::string(kEnvFileMaxBytes + 1, 'x'));
  Observation huge = side->Observe();
  EXPECT_EQ(huge.state, Observation::State::kUnreadable);
  EXPECT_TRUE(Contains(huge.reason, File().string())) << huge.reason;
  WriteFile(File(), std::string("TOKEN=a\0b\n", 10));
  EXPECT_EQ(side->Observe().reason, File().string() + ": holds a NUL byte; not an environment file");

  fs::remove(File());
  WriteFile(dir_.path() / "real.env", "TOKEN=old\n");
  fs::create_symlink(dir_.path() / "real.env", File());
  Observation through = side->Observe();
  ASSERT_EQ(through.state, Observation::State::kValue) << "read through";
  EXPECT_EQ(side->Write(OneField(kSecret), through.marker).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadFile(dir_.path() / "real.env"), "TOKEN=old\n");
  EXPECT_TRUE(fs::is_symlink(File()));

  // A second hard link: refused, both names keep their bytes.
  fs::remove(File());
  fs::create_hard_link(dir_.path() / "real.env", File());
  Observation linked = side->Observe();
  ASSERT_EQ(linked.state, Observation::State::kValue);
  EXPECT_EQ(side->CheckWritable().code(), StatusCode::kFailedPrecondition);
  Status hard = side->Write(OneField(kSecret), linked.marker);
  EXPECT_TRUE(Contains(hard.message(), File().string() + " has 2 hard links")) << hard.message();
  EXPECT_EQ(ReadFile(File()), "TOKEN=old\n");
}

TEST_F(EnvFileSideTest, TheConfigIsCheckedWhereItIsWritten) {
  auto dialect = Try("TOKEN", "bash");
  ASSERT_FALSE(dialect.ok());
  EXPECT_EQ(dialect.status().message(),
            "seam.toml:13: seam `db-password` side `env`: key `dialect` must be \"dotenv\", \"systemd\" or \"docker\", "
            "not \"bash\"");
  auto name = Try("DB-PASSWORD", "systemd");
  ASSERT_FALSE(name.ok());
  EXPECT_TRUE(Contains(name.status().message(), "seam.toml:12: ")) << name.status().message();
  EXPECT_TRUE(Contains(name.status().message(), "\"DB-PASSWORD\" is not a variable name a systemd file holds"))
      << name.status().message();
  auto none = Try("");
  EXPECT_FALSE(none.ok());
}

}  // namespace
}  // namespace seam
