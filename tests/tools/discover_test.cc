// seamctl discover's library (tools/discover) on real files in temp directories: what is worth
// agreeing on, the walk (links, loops, FIFOs, excludes), each format's places, the grouping
// (equal values, sha256-hex digests, certificates and their keys), near misses, declared places
// and the --toml output read back by the config loader.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sstream>

#include "core/config.h"
#include "core/crypto.h"
#include "core/x509.h"
#include "tests/support/sqlite_file.h"
#include "tests/support/temp_dir.h"
#include "tools/common/builtin_sides.h"
#include "tools/discover/discover.h"
#include "tools/discover/grouping.h"
#include "tools/discover/report.h"
#include "tools/discover/value_shape.h"

namespace seam::discover {
namespace {

namespace fs = std::filesystem;
using seam::testing::TempDir;
using seam::testing::WriteFile;

constexpr char kToken[] = "Vq3xT9mZ2pL8wR4nY6kB1cH5jD7fG0sAeUiOoQ-_abc";  // 43, base64url

Secret Key() { return Secret(std::string(32, 'k')); }

void Exec(const fs::path& db, const std::string& sql) { ASSERT_EQ(seam::testing::ExecSqlite(db, sql), ""); }

class DiscoverTest : public ::testing::Test {
 protected:
  Findings Run(std::vector<std::string> roots = {}, std::vector<std::string> excludes = {}, bool plain = false) {
    DiscoverOptions o;
    o.walk.roots = roots.empty() ? std::vector<std::string>{dir_.path().string()} : roots;
    o.walk.excludes = std::move(excludes);
    o.include_plain = plain;
    Result<Findings> f = Discover(o, keys_);
    EXPECT_TRUE(f.ok()) << f.status().message();
    return f.ok() ? std::move(*f) : Findings{};
  }
  // The seed's seam: the CLI's token, the gateway's digest of it in SQLite, an .env holding it.
  void WriteSeedTree() {
    WriteFile(dir_ / "cli/paired.json",
              std::string(R"({"device_id": "device-42", "token": ")") + kToken + R"(", "gateway_url": "http://127.0.0.1:8080"})");
    fs::create_directories(dir_ / "gateway");
    Exec(dir_ / "gateway/gateway.db",
         "CREATE TABLE pairings(device TEXT PRIMARY KEY, token_sha256 TEXT NOT NULL, gateway_url TEXT, paired_at TEXT);"
         "INSERT INTO pairings VALUES('device-42', '" + Sha256Hex(kToken) + "', 'http://127.0.0.1:8080', '2026-12-01T10:00:00Z');");
    WriteFile(dir_ / "app/.env", std::string("# app\nLOG_LEVEL=info\nAPI_TOKEN=") + kToken + "\n");
  }
  TempDir dir_;
  KeyRing keys_{Key()};
};

TEST(ValueShapeTest, KeyNamesAndShapes) {
  EXPECT_TRUE(KeyNamesSecret("token"));
  EXPECT_TRUE(KeyNamesSecret("API_TOKEN"));
  EXPECT_TRUE(KeyNamesSecret("apiKey"));
  EXPECT_TRUE(KeyNamesSecret("db-password"));
  EXPECT_TRUE(KeyNamesSecret("token_sha256"));
  EXPECT_FALSE(KeyNamesSecret("keyboard"));
  EXPECT_FALSE(KeyNamesSecret("monkey"));
  EXPECT_FALSE(KeyNamesSecret("device_id"));
  // About a secret, not the secret.
  EXPECT_FALSE(KeyNamesSecret("key_file"));
  EXPECT_FALSE(KeyNamesSecret("client_auth_type"));
  EXPECT_FALSE(KeyNamesSecret("smtp_auth_username"));
  EXPECT_FALSE(KeyNamesSecret("tokenTtl"));
  EXPECT_TRUE(KeyNamesSecret("auth_token"));
  EXPECT_EQ(Judge("integrity", "sha512-Vq3xT9mZ2pL8wR4nY6kB1cH5jD7fG0sAeUiOoQ+abc/def==", false), std::nullopt);

  EXPECT_EQ(Judge("password", "hunter2hunter2", false), Why::kKeyName);
  EXPECT_EQ(Judge("password", "changeme", false), std::nullopt);
  EXPECT_EQ(Judge("password", "${DB_PASSWORD}", false), std::nullopt);
  EXPECT_EQ(Judge("password", "short", false), std::nullopt);
  EXPECT_EQ(Judge("token", "/etc/seam/token", false), std::nullopt);
  EXPECT_EQ(Judge("token", "/Vq3xT9mZ2pL8wR4nY6kB1cH+5jD7fG0sAeUiOoQ=", false), Why::kKeyName);  // base64, not a path
  EXPECT_EQ(Judge("token", "12345678", false), std::nullopt);
  EXPECT_EQ(Judge("anything", kToken, false), Why::kEntropy);
  EXPECT_EQ(Judge("anything", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false), std::nullopt);
  EXPECT_EQ(Judge("description", "the quick brown fox jumps", false), std::nullopt);
  EXPECT_EQ(Judge("anything", Sha256Hex("x"), false), Why::kDigest);
  EXPECT_EQ(Judge("password", "two\nlines here", false), std::nullopt);
  EXPECT_EQ(Judge("url", "https://api.example.org/v1", false), std::nullopt);
  EXPECT_EQ(Judge("url", "https://api.example.org/v1", true), Why::kPlain);
  EXPECT_EQ(Judge("host", "db.internal.example", true), Why::kPlain);
  EXPECT_EQ(Judge("host", "1.2.3.4", true), std::nullopt);

  EXPECT_EQ(AlphabetOf("0123abcd"), "hex");
  EXPECT_EQ(AlphabetOf("Abc123"), "alnum");
  EXPECT_EQ(AlphabetOf(kToken), "base64url");
  EXPECT_EQ(AlphabetOf("a+b/c="), "ascii-printable");
  EXPECT_EQ(AlphabetOf("with space"), "");

}

std::vector<std::string> Words(const Lexed& l) {
  std::vector<std::string> out;
  for (const LexToken& t : l.tokens) out.push_back(std::to_string(t.line) + ":" + std::string(t.text));
  return out;
}

TEST(ValueShapeTest, ThePreScanFindsTheWordsAParseWouldTake) {
  EXPECT_TRUE(Lex("hello world\nnothing here\nwhiskey_3: alpha bravo 123\n").tokens.empty());
  EXPECT_EQ(Words(Lex("x = Vq3xT9mZ2pL8wR4nY6kB1cH\n")), std::vector<std::string>{"1:Vq3xT9mZ2pL8wR4nY6kB1cH"});
  EXPECT_EQ(Words(Lex("# db\nDB_PASSWORD: hunter22\n")), std::vector<std::string>{"2:hunter22"});
  EXPECT_EQ(Lex("# db\nDB_PASSWORD: hunter22\n").tokens[0].key, "DB_PASSWORD");
  EXPECT_EQ(Words(Lex("{\"apiKey\": \"abc123def456==\"}")), std::vector<std::string>{"1:abc123def456=="});
  // KEY=value in one run: the value too, as a JSON file would hold it.
  EXPECT_EQ(Words(Lex("SEED=Vq3xT9mZ2pL8wR4nY6kB1cH\n")), std::vector<std::string>{"1:Vq3xT9mZ2pL8wR4nY6kB1cH"});
  EXPECT_TRUE(Lex("november_123=uniform\nwhiskey_12=bravo charlie 12345\n").tokens.empty());
  EXPECT_FALSE(Lex("token: abcdefgh12\n").uncertain);
  EXPECT_TRUE(Lex("password: \"p@ss\\\"w0rd!\"\n").uncertain);
  EXPECT_TRUE(Lex("-----BEGIN CERTIFICATE-----\n").pem);
}

TEST_F(DiscoverTest, TheSeedsSeamIsOneGroupOfThreeWithTheDigestMarked) {
  WriteSeedTree();
  const Findings f = Run();
  const Grouping g = GroupPlaces(f.places);
  ASSERT_EQ(g.groups.size(), 1u);
  const Group& group = g.groups[0];
  ASSERT_EQ(group.places.size(), 3u);
  std::map<std::string, std::pair<std::string, bool>> by_file;
  for (std::size_t k = 0; k < 3; ++k) {
    const Place& p = f.places[group.places[k]];
    by_file[fs::path(p.file).lexically_relative(dir_.path()).string()] = {p.locator, group.digest[k]};
  }
  EXPECT_EQ(by_file["cli/paired.json"], std::make_pair(std::string("/token"), false));
  EXPECT_EQ(by_file["app/.env"], std::make_pair(std::string("API_TOKEN"), false));
  EXPECT_EQ(by_file["gateway/gateway.db"],
            std::make_pair(std::string("pairings.token_sha256 where device = \"device-42\""), true));
  EXPECT_EQ(group.fingerprint, keys_.Fingerprint(std::string_view(kToken)));
  EXPECT_TRUE(g.near_misses.empty());
  EXPECT_EQ(f.stats.parsed.at("sqlite"), 1u);
}

TEST_F(DiscoverTest, TwoHundredSecretsEachKeptOnceMakeNoGroup) {
  for (int i = 0; i < 200; ++i) {
    const std::string secret = Sha256Hex("secret " + std::to_string(i)).substr(0, 40) + "Zz9";
    // Half under one name in sibling files (parsed: a near miss is possible, none is there as
    // their key paths differ), half under names of their own (never parsed: alone).
    const std::string key = i % 2 ? "api_key" : "api_key_" + std::to_string(i);
    WriteFile(dir_ / ("svc" + std::to_string(i) + "/config.json"),
              "{\"service_" + std::to_string(i) + "\": {\"" + key + "\": \"" + secret + "\"}}");
  }
  const Findings f = Run();
  EXPECT_EQ(f.stats.lone, 100u);
  EXPECT_EQ(f.places.size(), 100u);
  const Grouping g = GroupPlaces(f.places);
  EXPECT_TRUE(g.groups.empty());
  EXPECT_TRUE(g.near_misses.empty());
}

TEST_F(DiscoverTest, EachFormatNamesItsPlacesAsTheSidesDo) {
  const std::string v = kToken;
  WriteFile(dir_ / "a/config.yaml", "db:\n  password: " + v + "\n---\nother: " + v + "\n");
  WriteFile(dir_ / "b/config.toml", "[[servers]]\nname = \"x\"\ntoken = \"" + v + "\"\n");
  WriteFile(dir_ / "c/settings", "export SECRET_KEY='" + v + "'\n");  // no extension: read as an env file
  WriteFile(dir_ / "d/list.json", "[{\"tokens\": [\"" + v + "\"]}]");
  const Findings f = Run();
  std::set<std::string> locators;
  for (const Place& p : f.places) locators.insert(std::string(FormatName(p.format)) + " " + p.locator);
  EXPECT_EQ(locators, (std::set<std::string>{"yaml /db/password", "yaml #1/other", "toml /servers/0/token",
                                             "env SECRET_KEY", "json /0/tokens/0"}));
  for (const Place& p : f.places)
    if (p.format == Format::kYaml) {
      EXPECT_EQ(p.yaml_documents, 2);
    }
  const Grouping g = GroupPlaces(f.places);
  ASSERT_EQ(g.groups.size(), 1u);
  EXPECT_EQ(g.groups[0].places.size(), 5u);
}

TEST_F(DiscoverTest, ACertificateAndItsKeyAreOneGroupWhereverTheyAre) {
  Result<SelfSigned> made = MakeSelfSignedCertificate("example.org", 30, 1'800'000'000);
  ASSERT_TRUE(made.ok()) << made.status().message();
  WriteFile(dir_ / "archive/cert1.pem", made->chain_pem);
  WriteFile(dir_ / "archive/privkey1.pem", std::string(made->key_pem.Reveal()));
  fs::create_directories(dir_ / "live");
  fs::create_symlink("../archive/cert1.pem", dir_ / "live/cert.pem");
  fs::create_symlink("../archive/privkey1.pem", dir_ / "live/privkey.pem");
  WriteFile(dir_ / "nginx/server.crt", made->chain_pem);  // a copy the server was given
  Result<SelfSigned> other = MakeSelfSignedCertificate("other.org", 30, 1'800'000'000);
  ASSERT_TRUE(other.ok());
  WriteFile(dir_ / "unrelated/cert.pem", other->chain_pem);  // no key, no copy: no group

  const Findings f = Run();
  const Grouping g = GroupPlaces(f.places);
  ASSERT_EQ(g.groups.size(), 1u);
  const Group& group = g.groups[0];
  EXPECT_TRUE(group.certificate);
  EXPECT_EQ(group.places.size(), 3u);  // each file once, though two names reach two of them
  EXPECT_NE(group.fingerprint.find("CN=example.org"), std::string::npos) << group.fingerprint;
  std::set<std::string> links;
  for (std::size_t i : group.places)
    if (!f.places[i].via_link.empty()) links.insert(fs::path(f.places[i].via_link).lexically_relative(dir_.path()).string());
  EXPECT_EQ(links, (std::set<std::string>{"live/cert.pem", "live/privkey.pem"}));
  EXPECT_EQ(f.stats.walk.same_file, 2u);
}

TEST_F(DiscoverTest, NearMissesAreOneKeyPathInSiblingFilesHoldingDifferentValues) {
  WriteFile(dir_ / "deploy/staging/app.yaml", "db:\n  password: St4gingPassw0rdXyz\n");
  WriteFile(dir_ / "deploy/prod/app.yaml", "db:\n  password: Pr0dPassw0rdAbcdef\n");
  WriteFile(dir_ / "deploy/prod/other.yaml", "db:\n  password: An0therPassw0rdQq\n");  // not a sibling of the others
  const Findings f = Run();
  const Grouping g = GroupPlaces(f.places);
  EXPECT_TRUE(g.groups.empty());
  ASSERT_EQ(g.near_misses.size(), 1u);
  EXPECT_EQ(g.near_misses[0].locator, "/db/password");
  ASSERT_EQ(g.near_misses[0].places.size(), 2u);
}

TEST_F(DiscoverTest, TheWalkPassesOverWhatItMustNotRead) {
  const std::string v = kToken;
  WriteFile(dir_ / "a/x.env", "TOKEN=" + v + "\n");
  WriteFile(dir_ / "b/x.toml", "token = \"" + v + "\"\n");
  WriteFile(dir_ / ".git/config.env", "TOKEN=" + v + "\n");          // version control
  WriteFile(dir_ / "skipme/y.env", "TOKEN=" + v + "\n");             // --exclude
  WriteFile(dir_ / "node_modules/m/.env", "TOKEN=" + v + "\n");      // other people's code
  WriteFile(dir_ / "a/package-lock.json", "{\"token\": \"" + v + "\"}");  // lock files
  WriteFile(dir_ / "a/Cargo.lock", "token = \"" + v + "\"\n");
  std::string many;
  for (int i = 0; i <= 10'000; ++i) many += "K" + std::to_string(i) + "=" + v + std::to_string(i) + "\n";
  WriteFile(dir_ / "a/dump.env", many);                               // a data file: too many words
  WriteFile(dir_ / "bin/blob", std::string("TOKEN=") + v + std::string(1, '\0') + "\n");  // binary
  ASSERT_EQ(::mkfifo((dir_ / "a/fifo.env").c_str(), 0600), 0);     // never opened: the walk would hang
  fs::create_symlink(".", dir_ / "a/loop");                          // a link loop
  fs::create_symlink("nowhere", dir_ / "a/dangling.env");
  fs::create_symlink("/etc", dir_ / "a/outside");                    // a directory outside the root
  WriteFile(dir_ / "a/big.json", "{\"token\": \"" + v + "\", \"pad\": \"" + std::string(kMaxTextFileBytes, 'x') + "\"}");
  const Findings f = Run({}, {"skipme"});
  ASSERT_EQ(f.places.size(), 2u);
  EXPECT_EQ(fs::path(f.places[0].file).lexically_relative(dir_.path()), "a/x.env");
  EXPECT_EQ(fs::path(f.places[1].file).lexically_relative(dir_.path()), "b/x.toml");
  EXPECT_EQ(f.stats.binary, 1u);
  EXPECT_EQ(f.stats.too_large, 1u);
  EXPECT_EQ(f.stats.walk.special, 1u);
  EXPECT_EQ(f.stats.walk.broken_links, 1u);
  EXPECT_EQ(f.stats.walk.links_out, 1u);
  EXPECT_EQ(f.stats.walk.excluded, 5u);
  EXPECT_EQ(f.stats.too_many_words, 1u);
}

TEST_F(DiscoverTest, AMissingRootIsAnError) {
  DiscoverOptions o;
  o.walk.roots = {(dir_ / "absent").string()};
  Result<Findings> f = Discover(o, keys_);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message(), (dir_ / "absent").string() + ": No such file or directory");
}

TEST_F(DiscoverTest, AnUnreadableFileIsAWarning) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their mode";
  WriteFile(dir_ / "locked.env", std::string("TOKEN=") + kToken + "\n");
  fs::permissions(dir_ / "locked.env", fs::perms::none);
  const Findings g = Run();
  ASSERT_EQ(g.warnings.size(), 1u);
  EXPECT_EQ(g.warnings[0].error, "Permission denied");
}

TEST_F(DiscoverTest, MalformedFilesAreCountedNotFatal) {
  WriteFile(dir_ / "bad.json", std::string("{\"token\": \"") + kToken + "\"");   // unterminated
  WriteFile(dir_ / "bad.yaml", std::string("token: [") + kToken + "\n");
  WriteFile(dir_ / "bad.toml", std::string("token = \"") + kToken + "\n");
  WriteFile(dir_ / "bad.env", std::string("TOKEN=\"") + kToken + "\n");
  WriteFile(dir_ / "bad.pem", std::string("-----BEGIN CERTIFICATE-----\n") + kToken + "\n-----END CERTIFICATE-----\n");
  WriteFile(dir_ / "bad.db", std::string("SQLite format 3") + std::string(1, '\0') + std::string(200, '\xff'));
  WriteFile(dir_ / "deep.json", std::string(100000, '[') + std::string(100000, ']'));
  // No name to go by, and an environment file only up to its second line: nothing from it.
  WriteFile(dir_ / "notes", std::string("TOKEN=") + kToken + "\nthis line assigns nothing\n");
  const Findings f = Run();
  EXPECT_TRUE(f.places.empty());
  EXPECT_EQ(f.stats.unknown_format, 1u);
  EXPECT_EQ(f.stats.parse_errors.at("json"), 1u);  // deep.json holds nothing worth parsing
  EXPECT_EQ(f.stats.parse_errors.at("yaml"), 1u);
  EXPECT_EQ(f.stats.parse_errors.at("toml"), 1u);
  EXPECT_EQ(f.stats.parse_errors.at("env"), 1u);
  EXPECT_EQ(f.stats.parse_errors.at("sqlite"), 1u);
  ASSERT_EQ(f.warnings.size(), 1u);  // the database that is not one is named
  EXPECT_NE(f.warnings[0].error.find("bad.db"), std::string::npos) << f.warnings[0].error;
}

// Another program's database is hostile: views are never run, rows past the cap are left
// unread (and said so), a table without a one-column key still shows its cells, by rowid.
TEST_F(DiscoverTest, ADatabaseIsReadWithinItsCapsAndNeverRunsAView) {
  const std::string v = kToken;
  fs::create_directories(dir_ / "a");
  Exec(dir_ / "a/app.db",
       "CREATE TABLE settings(name TEXT PRIMARY KEY, value TEXT);"
       "INSERT INTO settings VALUES('api_token', '" + v + "');"
       "CREATE TABLE loose(token TEXT);"  // no primary key
       "INSERT INTO loose VALUES('" + v + "');"
       "CREATE VIEW slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c;"
       "CREATE TABLE big(id INTEGER PRIMARY KEY, note TEXT);"
       "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10050) INSERT INTO big SELECT x, 'n' FROM c;");
  const Findings f = Run();
  std::set<std::string> locators;
  for (const Place& p : f.places) locators.insert(p.locator);
  EXPECT_EQ(locators, (std::set<std::string>{"settings.value where name = \"api_token\"", "loose.token (rowid 1)"}));
  EXPECT_EQ(f.stats.truncated_databases, 1u);
  const Grouping g = GroupPlaces(f.places);
  ASSERT_EQ(g.groups.size(), 1u);
  ReportContext r{f, g, "a test key", dir_.path(), {}};
  std::ostringstream toml;
  PrintToml(toml, r);
  EXPECT_NE(toml.str().find("loose.token (rowid 1): no sqlite-row side can name this row"), std::string::npos) << toml.str();
  EXPECT_NE(toml.str().find("fewer than two places a side can keep"), std::string::npos) << toml.str();
}

class DiscoverConfigTest : public DiscoverTest {
 protected:
  Result<Config> Load(const std::string& text) {
    WriteFile(dir_ / "seam.toml", text);
    RegisterBuiltinSides(registry_);
    return LoadConfig(dir_ / "seam.toml", ConfigSchema{BuiltinKinds(), &registry_});
  }
  SideRegistry registry_;
};

TEST_F(DiscoverConfigTest, TheTomlOutputIsAConfigThatDeclaresEveryPlace) {
  WriteSeedTree();
  Findings f = Run();
  const Grouping g = GroupPlaces(f.places);
  ReportContext r{f, g, "a test key", dir_.path(), {}};
  std::ostringstream toml;
  PrintToml(toml, r);
  EXPECT_NE(toml.str().find("kind = \"token\""), std::string::npos) << toml.str();
  EXPECT_NE(toml.str().find("transform = \"sha256-hex\""), std::string::npos) << toml.str();
  EXPECT_NE(toml.str().find("# then: seamctl adopt api-token --from app"), std::string::npos) << toml.str();
  EXPECT_EQ(toml.str().find(kToken), std::string::npos);

  Result<Config> config = Load(toml.str());
  ASSERT_TRUE(config.ok()) << config.status().message() << "\n" << toml.str();
  ASSERT_EQ(config->seams.size(), 1u);
  EXPECT_EQ(config->seams[0].sides.size(), 3u);
  MarkDeclared(f.places, *config);
  const Grouping again = GroupPlaces(f.places);
  ASSERT_EQ(again.groups.size(), 1u);
  EXPECT_FALSE(again.groups[0].Candidate());
  ReportContext r2{f, again, "a test key", dir_.path(), {}};
  EXPECT_EQ(ExitCodeFor(r2), 0);
}

// Every file side says where it keeps its fields as discover names places (Side::FilePlaces):
// a config declaring a YAML file's second document, a TOML array of tables, an env variable, a
// JSON member and a certificate with its key marks each place declared.
TEST_F(DiscoverConfigTest, EverySideNamesItsPlacesAsDiscoverDoes) {
  const std::string v = kToken;
  WriteFile(dir_ / "a/config.yaml", "db:\n  password: x\n---\nother: " + v + "\n");
  WriteFile(dir_ / "b/config.toml", "[[servers]]\nname = \"x\"\ntoken = \"" + v + "\"\n");
  WriteFile(dir_ / "c/.env", "SECRET_KEY=" + v + "\n");
  WriteFile(dir_ / "d/list.json", "{\"auth\": {\"token\": \"" + v + "\"}}");
  Result<SelfSigned> made = MakeSelfSignedCertificate("example.org", 30, 1'800'000'000);
  ASSERT_TRUE(made.ok());
  WriteFile(dir_ / "tls/cert.pem", made->chain_pem);
  WriteFile(dir_ / "tls/key.pem", std::string(made->key_pem.Reveal()));
  Result<Config> config = Load(R"([[seam]]
name = "v"
kind = "value"
entity = "v"
[seam.sides.a]
plugin = "yaml-file"
path = "a/config.yaml"
document = 1
pointer = "/other"
[seam.sides.b]
plugin = "toml-file"
path = "b/config.toml"
pointer = "/servers/0/token"
[seam.sides.c]
plugin = "env-file"
path = "c/.env"
variable = "SECRET_KEY"
[seam.sides.d]
plugin = "json-file"
path = "d/list.json"
pointer = "/auth/token"

[[seam]]
name = "web"
kind = "certificate"
entity = "web"
[seam.sides.disk]
plugin = "pem-file"
cert_path = "tls/cert.pem"
key_path = "tls/key.pem"
)");
  ASSERT_TRUE(config.ok()) << config.status().message();
  Findings f = Run();
  MarkDeclared(f.places, *config);
  std::set<std::string> declared;
  for (const Place& p : f.places) declared.insert(p.locator + " " + p.covered_seam + "/" + p.covered_side);
  EXPECT_EQ(declared, (std::set<std::string>{"#1/other v/a", "/servers/0/token v/b", "SECRET_KEY v/c", "/auth/token v/d",
                                             "certificate web/disk", "private key web/disk"}));
  const Grouping g = GroupPlaces(f.places);
  ReportContext r{f, g, "a test key", dir_.path(), {}};
  EXPECT_EQ(ExitCodeFor(r), 0);
}

}  // namespace
}  // namespace seam::discover
