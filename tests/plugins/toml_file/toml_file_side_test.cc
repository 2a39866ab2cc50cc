// toml-file on real files: a write changes only the value's bytes (a Cargo-style manifest, an
// app config with comments, literal strings, inline tables, arrays of tables), an absent key is
// created after its table's last key with that key's indentation, a removal deletes the key's
// line, and every refusal leaves the file as it was and never names the value.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "plugins/toml_file/toml_file_side.h"
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

class TomlFileSideTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<Side>> Try(const std::string& pointer) {
    SideOptions o("seam.toml", dir_.path(), "db-url", "app", 10);
    o.Set("path", OptionValue{std::string("app.toml"), 11});
    o.Set("pointer", OptionValue{pointer, 12});
    return MakeTomlFileSide(o);
  }
  std::unique_ptr<Side> Make(const std::string& pointer) {
    auto side = Try(pointer);
    EXPECT_TRUE(side.ok()) << side.status().ToString();
    return side.ok() ? std::move(side).value() : nullptr;
  }
  fs::path File() const { return dir_.path() / "app.toml"; }
  std::string Content() const { return ReadFile(File()); }
  Status Set(Side& side, const std::string& value) { return side.Write(OneField(value), side.Observe().marker); }

  TempDir dir_;
};

constexpr char kCargo[] = R"(# A Cargo-style manifest
[package]
name = "gateway"   # the crate
version = "0.4.1"
authors = ['Ops <ops@example.org>']

[dependencies]
serde = { version = "1", features = ["derive"] }

[registries.internal]
index = "https://git.example.org/index"
token = 'old-token'     # rotated by seam

[[servers]]
name = "a"
token = "server-a-token"

[[servers]]
name = "b"
  token = "server-b-token"
)";

TEST_F(TomlFileSideTest, ASetChangesOnlyTheValuesBytesInItsQuotingStyle) {
  WriteFile(File(), kCargo);
  auto literal = Make("/registries/internal/token");
  Observation o = literal->Observe();
  ASSERT_EQ(o.state, Observation::State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o), "old-token");
  ASSERT_TRUE(Set(*literal, kSecret).ok());
  std::string want = kCargo;
  want.replace(want.find("'old-token'"), 11, std::string("'") + kSecret + "'");
  EXPECT_EQ(Content(), want) << "a literal string stays literal";

  // A value a literal string cannot hold: a basic string with escapes.
  ASSERT_TRUE(Set(*literal, "it's \"quoted\"\tand\\back").ok());
  EXPECT_TRUE(Contains(Content(), "token = \"it's \\\"quoted\\\"\\tand\\\\back\"     # rotated by seam\n")) << Content();
  EXPECT_EQ(FieldText(literal->Observe()), "it's \"quoted\"\tand\\back");

  // An array of tables by index, and a value inside an inline table.
  auto second = Make("/servers/1/token");
  ASSERT_TRUE(Set(*second, kSecret).ok());
  EXPECT_TRUE(Contains(Content(), std::string("name = \"b\"\n  token = \"") + kSecret + "\"\n")) << Content();
  auto inline_value = Make("/dependencies/serde/version");
  ASSERT_TRUE(Set(*inline_value, "2").ok());
  EXPECT_TRUE(Contains(Content(), "serde = { version = \"2\", features = [\"derive\"] }\n")) << Content();
  EXPECT_TRUE(Contains(Content(), "name = \"gateway\"   # the crate\n")) << "other lines untouched";
}

TEST_F(TomlFileSideTest, AnAbsentKeyIsAddedAfterItsTablesLastKeyAndARemovalDeletesItsLine) {
  WriteFile(File(), "title = \"app\"\n\n[database]\n    host = \"db\"  # primary\n    port = 5432\n\n[cache]\nttl = 5\n");
  auto side = Make("/database/password");
  EXPECT_EQ(side->Observe().state, Observation::State::kMissing);
  ASSERT_TRUE(Set(*side, kSecret).ok());
  EXPECT_EQ(Content(), std::string("title = \"app\"\n\n[database]\n    host = \"db\"  # primary\n    port = 5432\n") +
                           "    password = \"" + kSecret + "\"\n\n[cache]\nttl = 5\n");
  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());
  EXPECT_EQ(Content(), "title = \"app\"\n\n[database]\n    host = \"db\"  # primary\n    port = 5432\n\n[cache]\nttl = 5\n");

  // A root key, and a table without keys (after its header).
  auto root = Make("/api_token");
  ASSERT_TRUE(Set(*root, "root-value").ok());
  EXPECT_EQ(Content(), "title = \"app\"\napi_token = \"root-value\"\n\n[database]\n    host = \"db\"  # primary\n"
                       "    port = 5432\n\n[cache]\nttl = 5\n");
  WriteFile(File(), "[empty]\n[other]\nx = \"1\"\n");
  auto empty = Make("/empty/key");
  ASSERT_TRUE(Set(*empty, "v").ok());
  EXPECT_EQ(Content(), "[empty]\nkey = \"v\"\n[other]\nx = \"1\"\n");
}

TEST_F(TomlFileSideTest, RefusalsLeaveTheFileAsItWasAndNeverNameTheValue) {
  // A syntax error: file:line:column.
  const std::string broken = "[db]\nurl = \"s3cret-unterminated\n";
  WriteFile(File(), broken);
  auto side = Make("/db/url");
  Observation bad = side->Observe();
  ASSERT_EQ(bad.state, Observation::State::kUnreadable);
  EXPECT_TRUE(Contains(bad.reason, File().string() + ":2:")) << bad.reason;
  EXPECT_FALSE(Contains(bad.reason, "s3cret")) << bad.reason;
  EXPECT_EQ(side->Write(OneField(kSecret), bad.marker).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Content(), broken);

  // Not a string, and a walk through a non-table.
  WriteFile(File(), "[db]\nurl = 5\n");
  EXPECT_EQ(side->Observe().reason, File().string() + ": value at /db/url is an integer, not a string");
  WriteFile(File(), "db = \"flat\"\n");
  EXPECT_EQ(side->Observe().reason, File().string() + ": /db/url: /db is a string, not a table");
  EXPECT_EQ(side->CheckWritable().code(), StatusCode::kFailedPrecondition);

  // A key in a table that does not exist, or in an inline table, is not created.
  WriteFile(File(), "[other]\nx = \"1\"\n");
  Status no_table = Set(*side, kSecret);
  EXPECT_EQ(no_table.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(no_table.message(), "a table on the way does not exist")) << no_table.message();
  WriteFile(File(), "db = { host = \"h\" }\n");
  EXPECT_TRUE(Contains(Set(*side, kSecret).message(), "inline table"));
  EXPECT_EQ(Content(), "db = { host = \"h\" }\n");

  // Changed since observed; a value that is not UTF-8.
  WriteFile(File(), "[db]\nurl = \"old\"\n");
  const ChangeMarker seen = side->Observe().marker;
  WriteFile(File(), "[db]\nurl = \"someone-else\"\n");
  EXPECT_EQ(side->Write(OneField(kSecret), seen).code(), StatusCode::kFailedPrecondition);
  Status utf8 = Set(*side, "s3cret\xff");
  EXPECT_EQ(utf8.code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(Contains(utf8.message(), "s3cret"));
  EXPECT_EQ(Content(), "[db]\nurl = \"someone-else\"\n");

  // A symlink is read through, never written through.
  fs::remove(File());
  WriteFile(dir_.path() / "real.toml", "[db]\nurl = \"old\"\n");
  fs::create_symlink(dir_.path() / "real.toml", File());
  Observation through = side->Observe();
  ASSERT_EQ(through.state, Observation::State::kValue);
  EXPECT_EQ(side->Write(OneField(kSecret), through.marker).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadFile(dir_.path() / "real.toml"), "[db]\nurl = \"old\"\n");

  // A file with a second hard link: a replacement would leave the other name with the old
  // value, so it is refused, and both names keep their bytes.
  fs::remove(File());
  fs::create_hard_link(dir_.path() / "real.toml", File());
  Observation linked = side->Observe();
  ASSERT_EQ(linked.state, Observation::State::kValue);
  EXPECT_TRUE(Contains(side->CheckWritable().message(), " has 2 hard links")) << side->CheckWritable().message();
  Status hard = side->Write(OneField(kSecret), linked.marker);
  EXPECT_EQ(hard.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(hard.message(), File().string() + " has 2 hard links")) << hard.message();
  EXPECT_EQ(ReadFile(File()), "[db]\nurl = \"old\"\n");
}

TEST_F(TomlFileSideTest, HugeAndHostileFilesAreUnreadable) {
  auto side = Make("/db/url");
  WriteFile(File(), std::string(kTomlFileMaxBytes + 1, '#'));
  EXPECT_EQ(side->Observe().state, Observation::State::kUnreadable);
  WriteFile(File(), std::string(100000, '[') + "\n");
  EXPECT_EQ(side->Observe().state, Observation::State::kUnreadable);
  WriteFile(File(), "a = " + std::string(100000, '[') + "\n");
  EXPECT_EQ(side->Observe().state, Observation::State::kUnreadable);
  fs::remove(File());
  fs::create_directory(File());
  EXPECT_EQ(side->Observe().state, Observation::State::kUnreadable);
  EXPECT_FALSE(Try("no-slash").ok());
}

}  // namespace
}  // namespace seam
