// yaml-file on real files: a write changes only the value's bytes (a docker-compose.yml, a
// multi-document Kubernetes manifest), a scalar keeps its style and its type or is quoted, an
// absent key is added after its mapping's last line with its keys' indentation, a removal deletes
// the key's line, and every refusal (aliases, anchors, block and tagged scalars, flow mappings,
// merge keys) leaves the file as it was and never names the value.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "plugins/yaml_file/yaml_file_side.h"
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

std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

class YamlFileSideTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<Side>> Try(const std::string& pointer, std::optional<std::int64_t> document = std::nullopt) {
    SideOptions o("seam.toml", dir_.path(), "db-password", "app", 10);
    o.Set("path", OptionValue{std::string("app.yaml"), 11});
    o.Set("pointer", OptionValue{pointer, 12});
    if (document) o.Set("document", OptionValue{*document, 13});
    return MakeYamlFileSide(o);
  }
  std::unique_ptr<Side> Make(const std::string& pointer, std::optional<std::int64_t> document = std::nullopt) {
    auto side = Try(pointer, document);
    EXPECT_TRUE(side.ok()) << side.status().ToString();
    return side.ok() ? std::move(side).value() : nullptr;
  }
  fs::path File() const { return dir_.path() / "app.yaml"; }
  std::string Content() const { return ReadFile(File()); }
  Status Set(Side& side, const std::string& value) { return side.Write(OneField(value), side.Observe().marker); }
  // Sets `pointer` in a file holding `before`: the file must then be `after`, byte for byte.
  void ExpectSet(const std::string& before, const std::string& pointer, const std::string& value, const std::string& after) {
    WriteFile(File(), before);
    auto side = Make(pointer);
    Status s = Set(*side, value);
    ASSERT_TRUE(s.ok()) << pointer << ": " << s.ToString();
    EXPECT_EQ(Content(), after) << pointer;
    Observation o = side->Observe();
    ASSERT_EQ(o.state, Observation::State::kValue) << o.reason;
    EXPECT_EQ(FieldText(o), value);
  }
  // Every refusal: the code, a message with `part` and never the value, the file unchanged.
  void ExpectRefused(const std::string& text, const std::string& pointer, const std::string& part) {
    WriteFile(File(), text);
    auto side = Make(pointer);
    Status s = Set(*side, kSecret);
    EXPECT_FALSE(s.ok()) << pointer;
    EXPECT_TRUE(Contains(s.message(), part)) << s.message();
    EXPECT_FALSE(Contains(s.message(), kSecret)) << s.message();
    EXPECT_EQ(Content(), text);
  }

  TempDir dir_;
};

constexpr char kCompose[] = R"(# docker-compose.yml for the app
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: old-password   # rotated by seam
  api:
    image: "registry.example.org/api:1.4"
    environment:
      DATABASE_URL: 'postgres://app@db/app'
      DB_PASSWORD: "old-password"
    ports:
      - "8080:8080"
volumes:
  data: {}
)";

TEST_F(YamlFileSideTest, AComposeFileChangesOnlyTheValuesBytesInTheirQuotingStyles) {
  WriteFile(File(), kCompose);
  auto db = Make("/services/db/environment/POSTGRES_PASSWORD");
  Observation o = db->Observe();
  ASSERT_EQ(o.state, Observation::State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o), "old-password");
  ASSERT_TRUE(Set(*db, kSecret).ok());
  std::string want = Replaced(kCompose, "POSTGRES_PASSWORD: old-password", std::string("POSTGRES_PASSWORD: ") + kSecret);
  EXPECT_EQ(Content(), want);

  auto api = Make("/services/api/environment/DB_PASSWORD");
  ASSERT_TRUE(Set(*api, kSecret).ok());
  want = Replaced(want, "\"old-password\"", std::string("\"") + kSecret + "\"");
  EXPECT_EQ(Content(), want) << "a double-quoted scalar stays double-quoted";
  EXPECT_TRUE(Set(*api, kSecret).ok());
  EXPECT_EQ(Content(), want) << "the value already there writes nothing";
}

constexpr char kManifest[] = R"(apiVersion: v1
kind: Secret
metadata:
  name: db
type: Opaque
stringData:
  password: "old-password"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          env:
            - name: DB_HOST
              value: db
)";

TEST_F(YamlFileSideTest, AMultiDocumentManifestNeedsTheDocumentNamedAndChangesOnlyThere) {
  WriteFile(File(), kManifest);
  Observation unnamed = Make("/stringData/password")->Observe();
  ASSERT_EQ(unnamed.state, Observation::State::kUnreadable);
  EXPECT_EQ(unnamed.reason, File().string() + " holds 2 documents (---); say which with document = N (from 0)");
  EXPECT_EQ(Make("/stringData/password", 2)->Observe().reason,
            File().string() + " holds 2 document(s); there is no document 2");

  auto secret = Make("/stringData/password", 0);
  EXPECT_EQ(secret->Describe(), "yaml-file " + File().string() + " (document 0)#/stringData/password");
  ASSERT_TRUE(Set(*secret, kSecret).ok());
  std::string want = Replaced(kManifest, "\"old-password\"", std::string("\"") + kSecret + "\"");
  EXPECT_EQ(Content(), want);

  auto host = Make("/spec/template/spec/containers/0/env/0/value", 1);
  EXPECT_EQ(FieldText(host->Observe()), "db");
  // A key added to a mapping that is a sequence item goes after that item's last line, at its
  // keys' column.
  auto policy = Make("/spec/template/spec/containers/0/imagePullPolicy", 1);
  ASSERT_TRUE(Set(*policy, "Always").ok());
  EXPECT_EQ(Content(), want + "          imagePullPolicy: Always\n");
  EXPECT_FALSE(Try("/a", -1).ok());
}

TEST_F(YamlFileSideTest, AScalarKeepsItsTypeOrIsQuoted) {
  const std::string app = "app:\n  flag: abc\n  port: 5432\n  quoted: 'old'\n  flow: {a: old, b: 2}\n";
  ExpectSet(app, "/app/flag", "yes", Replaced(app, "flag: abc", "flag: \"yes\""));
  ExpectSet(app, "/app/flag", "0x1", Replaced(app, "flag: abc", "flag: \"0x1\""));
  ExpectSet(app, "/app/flag", "*x", Replaced(app, "flag: abc", "flag: \"*x\""));
  ExpectSet(app, "/app/flag", "null", Replaced(app, "flag: abc", "flag: \"null\""));
  ExpectSet(app, "/app/flag", "a: b", Replaced(app, "flag: abc", "flag: \"a: b\""));
  ExpectSet(app, "/app/port", "5433", Replaced(app, "port: 5432", "port: 5433"));
  ExpectSet(app, "/app/port", "abc", Replaced(app, "port: 5432", "port: \"abc\""));
  ExpectSet(app, "/app/quoted", "it's", Replaced(app, "'old'", "'it''s'"));
  ExpectSet(app, "/app/quoted", "two\nlines", Replaced(app, "'old'", "\"two\\nlines\""));
  ExpectSet(app, "/app/flow/a", kSecret, Replaced(app, "{a: old", std::string("{a: ") + kSecret));
  ExpectSet(app, "/app/flow/a", "x,y", Replaced(app, "{a: old", "{a: \"x,y\""));
}

TEST_F(YamlFileSideTest, AnAbsentKeyIsAddedAfterItsMappingsLastLineAndARemovalDeletesItsLine) {
  const std::string db = "database:\n  host: db  # primary\n  options:\n    sslmode: require\n  # the password goes here\n"
                         "cache:\n  ttl: 5\n";
  WriteFile(File(), db);
  auto side = Make("/database/password");
  EXPECT_EQ(side->Observe().state, Observation::State::kMissing);
  ASSERT_TRUE(Set(*side, kSecret).ok());
  EXPECT_EQ(Content(), Replaced(db, "require\n", std::string("require\n  password: ") + kSecret + "\n"));
  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());
  EXPECT_EQ(Content(), db);

  ExpectSet(db, "/api_token", "root-value", db + "api_token: root-value\n");
  ExpectSet("m:\n  k: 1\n  l:\n  - 1\n  - 2\nz: 0\n", "/m/note", "v", "m:\n  k: 1\n  l:\n  - 1\n  - 2\n  note: v\nz: 0\n");
  // A key that would read as another type is quoted too (`n` is false to YAML 1.1).
  ExpectSet("m:\n  k: 1\n", "/m/n", "v", "m:\n  k: 1\n  \"n\": v\n");
  ExpectSet("a:\r\n  b: x\r\n", "/a/c", "v", "a:\r\n  b: x\r\n  c: v\r\n");
  ExpectSet("a:\n  b: x", "/a/c", "v", "a:\n  b: x\n  c: v\n");
  // A null value is filled in where it is.
  ExpectSet("db:\n  password:\n  user: app\n", "/db/password", kSecret, std::string("db:\n  password: ") + kSecret + "\n  user: app\n");
  ExpectSet("db:\n  password: ~  # later\n  user: app\n", "/db/password", "v", "db:\n  password: v  # later\n  user: app\n");
  // An empty or missing file gets a top-level key.
  ExpectSet("# nothing yet\n", "/token", "v", "# nothing yet\ntoken: v\n");
  fs::remove(File());
  auto fresh = Make("/token");
  EXPECT_EQ(fresh->Observe().state, Observation::State::kMissing);
  ASSERT_TRUE(Set(*fresh, "yes").ok());
  EXPECT_EQ(Content(), "token: \"yes\"\n");
  EXPECT_EQ((fs::status(File()).permissions() & fs::perms::all), fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(YamlFileSideTest, RefusalsLeaveTheFileAsItWasAndNeverNameTheValue) {
  const std::string anchors = "base: &b\n  pass: old\n  user: u\nref: *b\n";
  ExpectRefused(anchors, "/ref/pass", "reached through the alias *b");
  ExpectRefused(anchors, "/base/pass", "under the anchor &b");
  ExpectRefused("k: |\n  old\n", "/k", "block (| >), tagged or multi-line");
  ExpectRefused("k: !secret old\n", "/k", "block (| >), tagged or multi-line");
  ExpectRefused("k: two\n  lines\n", "/k", "block (| >), tagged or multi-line");
  ExpectRefused("m: {a: 1}\n", "/m/b", "flow mapping");
  ExpectRefused("m:\n  a: 1\n", "/nope/x", "a mapping on the way does not exist");
  ExpectRefused("m: [a, b]\n", "/m/x", "is a sequence of 2");
  ExpectRefused("base: &b {u: 1}\nprod:\n  <<: *b\n", "/prod/pass", "merges another mapping (<<)");
  ExpectRefused("m:\n  a: 1\n  a: 2\n", "/m/a", "has the key \"a\" twice");
  ExpectRefused("m:\n  sub:\n    a: 1\n", "/m/sub", "is a mapping, not a scalar");

  // A syntax error: file:line:column, nothing written.
  const std::string broken = "db:\n  url: s3cret-value\n- not a key\n";
  WriteFile(File(), broken);
  auto side = Make("/db/url");
  Observation bad = side->Observe();
  ASSERT_EQ(bad.state, Observation::State::kUnreadable);
  EXPECT_TRUE(Contains(bad.reason, File().string() + ":")) << bad.reason;
  EXPECT_FALSE(Contains(bad.reason, "s3cret")) << bad.reason;
  EXPECT_EQ(side->Write(OneField(kSecret), bad.marker).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(side->CheckWritable().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Content(), broken);

  // Changed since observed; a value that is not UTF-8; the only key of a mapping.
  WriteFile(File(), "db:\n  url: old\n");
  const ChangeMarker seen = side->Observe().marker;
  WriteFile(File(), "db:\n  url: someone-else\n");
  EXPECT_EQ(side->Write(OneField(kSecret), seen).code(), StatusCode::kFailedPrecondition);
  Status utf8 = Set(*side, "s3cret\xff");
  EXPECT_EQ(utf8.code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(Contains(utf8.message(), "s3cret"));
  Status only = side->Remove(side->Observe().marker);
  EXPECT_TRUE(Contains(only.message(), "the only key of its mapping")) << only.message();
  EXPECT_EQ(Content(), "db:\n  url: someone-else\n");

  // A symlink is read through, never written through.
  fs::remove(File());
  WriteFile(dir_.path() / "real.yaml", "db:\n  url: old\n");
  fs::create_symlink(dir_.path() / "real.yaml", File());
  Observation through = side->Observe();
  ASSERT_EQ(through.state, Observation::State::kValue);
  EXPECT_EQ(side->Write(OneField(kSecret), through.marker).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadFile(dir_.path() / "real.yaml"), "db:\n  url: old\n");

  // A second hard link: refused, both names keep their bytes.
  fs::remove(File());
  fs::create_hard_link(dir_.path() / "real.yaml", File());
  Observation linked = side->Observe();
  ASSERT_EQ(linked.state, Observation::State::kValue);
  EXPECT_EQ(side->CheckWritable().code(), StatusCode::kFailedPrecondition);
  Status hard = side->Write(OneField(kSecret), linked.marker);
  EXPECT_TRUE(Contains(hard.message(), File().string() + " has 2 hard links")) << hard.message();
  EXPECT_EQ(ReadFile(File()), "db:\n  url: old\n");
}

TEST_F(YamlFileSideTest, HugeAndHostileFilesAreUnreadable) {
  auto side = Make("/db/url");
  WriteFile(File(), std::string(kYamlFileMaxBytes + 1, '#'));
  EXPECT_EQ(side->Observe().state, Observation::State::kUnreadable);
  WriteFile(File(), std::string(100000, '[') + "\n");
  EXPECT_EQ(side->Observe().state, Observation::State::kUnreadable);
  WriteFile(File(), "db: " + std::string(100000, '{') + "\n");
  EXPECT_EQ(side->Observe().state, Observation::State::kUnreadable);
  WriteFile(File(), std::string("db:\n  url: \x01\x02\xff\xfe\n"));
  EXPECT_EQ(side->Observe().state, Observation::State::kUnreadable);
  fs::remove(File());
  fs::create_directory(File());
  EXPECT_EQ(side->Observe().state, Observation::State::kUnreadable);
  EXPECT_FALSE(Try("no-slash").ok());
}

}  // namespace
}  // namespace seam
