// `seamctl discover` as a real process on real trees: the seed's seam (a CLI's paired.json, the
// gateway's SQLite digest of its token, an .env) found as one group, its --toml pasted into
// seam.toml and adopted until `check` is in sync; 200 secrets kept once each found as nothing;
// no value in any output; bad input is one line and exit 2; the tree is never written.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <regex>
#include <sstream>

#include "tests/e2e/e2e_fixture.h"
#include "tests/support/sqlite_file.h"
#include "tests/e2e/tls_peer.h"

namespace seam::e2e {
namespace {

using seam::testing::WriteFile;

constexpr char kToken[] = "Vq3xT9mZ2pL8wR4nY6kB1cH5jD7fG0sAeUiOoQ-_abc";

void Sql(const fs::path& db, const std::string& sql) { ASSERT_EQ(seam::testing::ExecSqlite(db, sql), ""); }

std::vector<std::string> Words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

class DiscoverE2eTest : public SeamctlTest {
 protected:
  // The demo's shape: the gateway keeps the SHA-256 of the token in its own SQLite database.
  void WriteSeedTree(const std::string& token = kToken) {
    WriteFile(Root() / "cli/paired.json",
              "{\n  \"device_id\": \"device-42\",\n  \"token\": \"" + token + "\",\n  \"gateway_url\": \"http://127.0.0.1:8080\"\n}\n");
    fs::create_directories(Root() / "gateway");
    Sql(Root() / "gateway/gateway.db",
        "CREATE TABLE pairings(device TEXT PRIMARY KEY, token_sha256 TEXT NOT NULL, gateway_url TEXT, paired_at TEXT);"
        "INSERT INTO pairings VALUES('device-42', '" + Sha256HexOf(token) + "', 'http://127.0.0.1:8080', '2026-12-01T10:00:00Z');");
    WriteFile(Root() / "app/.env", "# the app's settings\nLOG_LEVEL=info\nAPI_TOKEN=" + token + "\n");
  }
};

TEST_F(DiscoverE2eTest, TheSeedsSeamIsFoundPastedAdoptedAndThenDeclared) {
  WriteSeedTree();
  const Snapshot before = TakeSnapshot(Root());
  ProcessResult text = SeamctlRaw({"discover", "."});
  EXPECT_EQ(text.exit_code, 1) << text.out << text.err;
  EXPECT_EQ(text.err, "");
  EXPECT_NE(text.out.find("discover: 1 group, 0 near misses in 3 files"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("group 1: token fp:"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  cli/paired.json  /token  (json, key name, plain)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  app/.env  API_TOKEN  (env, key name, plain)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  gateway/gateway.db  pairings.token_sha256 where device = \"device-42\"  (sqlite, digest, sha256-hex)"),
            std::string::npos) << text.out;
  EXPECT_NE(text.out.find("an ephemeral key"), std::string::npos) << text.out;

  ProcessResult json = SeamctlRaw({"discover", ".", "--json"});
  EXPECT_EQ(json.exit_code, 1);
  const nlohmann::json j = nlohmann::json::parse(json.out);
  ASSERT_EQ(j["groups"].size(), 1u);
  EXPECT_EQ(j["groups"][0]["kind"], "token");
  EXPECT_EQ(j["groups"][0]["places"].size(), 3u);
  EXPECT_EQ(j["stats"]["files"], 3);
  EXPECT_EQ(j["stats"]["parsed"]["sqlite"], 1);

  ProcessResult toml = SeamctlRaw({"discover", ".", "--toml"});
  EXPECT_EQ(toml.exit_code, 1);
  EXPECT_EQ(SnapshotDiff(before, TakeSnapshot(Root())), "");  // discover wrote nothing

  // Pasted as it is into a new seam.toml: init, check, the adopt it names, check again.
  WriteFile(Root() / "seam.toml", toml.out);
  ProcessResult init = SeamctlRaw({"init"});
  ASSERT_EQ(init.exit_code, 0) << init.err << "\n" << toml.out;
  ProcessResult unset = SeamctlRaw({"check"});
  EXPECT_NE(unset.exit_code, 2) << unset.out << unset.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(toml.out, m, std::regex("# then: (seamctl adopt [^\n]+)"))) << toml.out;
  std::vector<std::string> adopt = Words(m[1]);
  adopt.erase(adopt.begin());
  ProcessResult adopted = SeamctlRaw(adopt);
  ASSERT_EQ(adopted.exit_code, 0) << adopted.out << adopted.err;
  ProcessResult check = SeamctlRaw({"check", "--json"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  const nlohmann::json report = nlohmann::json::parse(check.out);
  ASSERT_EQ(report["seams"].size(), 1u);
  for (const auto& side : report["seams"][0]["sides"]) EXPECT_EQ(side["verdict"], "in_sync") << side.dump();

  // Run again beside that config: the group is declared, and its fingerprint is check's.
  ProcessResult again = SeamctlRaw({"discover", "--json", "."});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  const nlohmann::json k = nlohmann::json::parse(again.out);
  ASSERT_EQ(k["groups"].size(), 1u);
  EXPECT_EQ(k["groups"][0]["candidate"], false);
  for (const auto& p : k["groups"][0]["places"]) EXPECT_FALSE(p["declared"].is_null()) << p.dump();
  EXPECT_NE(check.out.find(k["groups"][0]["fingerprint"].get<std::string>()), std::string::npos)
      << k["groups"][0]["fingerprint"] << "\n" << check.out;
}

TEST_F(DiscoverE2eTest, TwoHundredSecretsKeptOnceEachAreNothingToDeclare) {
  for (int i = 0; i < 200; ++i) {
    const std::string secret = Sha256HexOf("secret " + std::to_string(i)).substr(0, 30) + "Qx7" + std::to_string(i);
    const fs::path dir = Root() / ("service-" + std::to_string(i));
    switch (i % 4) {
      case 0: WriteFile(dir / "config.json", "{\"api_key_" + std::to_string(i) + "\": \"" + secret + "\"}\n"); break;
      case 1: WriteFile(dir / ".env", "SECRET_" + std::to_string(i) + "=" + secret + "\n"); break;
      case 2: WriteFile(dir / "config.yaml", "auth:\n  token_" + std::to_string(i) + ": " + secret + "\n"); break;
      case 3: WriteFile(dir / "config.toml", "[db]\npassword_" + std::to_string(i) + " = \"" + secret + "\"\n"); break;
    }
  }
  ProcessResult r = SeamctlRaw({"discover", "."});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("discover: 0 groups, 0 near misses in 200 files"), std::string::npos) << r.out;
  ProcessResult j = SeamctlRaw({"discover", ".", "--json"});
  EXPECT_EQ(nlohmann::json::parse(j.out)["groups"].size(), 0u);
}

// Canaries in every format discover reads, in groups and alone: no output of any mode (text,
// --json, --toml, --include-plain, debug logging, warnings) holds one, nor its SHA-256.
TEST_F(DiscoverE2eTest, NoValueEverAppearsInAnyOutput) {
  const std::string canary = "CanaryTok3n" + Sha256HexOf("canary").substr(0, 32);
  WriteSeedTree(canary);
  const std::string lone = "L0neCanary" + Sha256HexOf("lone").substr(0, 30);
  WriteFile(Root() / "svc/config.yaml", "db:\n  password: " + lone + "\n  url: https://db.example.org/x\n");
  WriteFile(Root() / "svc2/config.yaml", "db:\n  password: " + lone + "X\n");  // a near miss of svc/
  WriteFile(Root() / "svc/settings.toml", "[auth]\nsecret = \"" + lone + "\"\n");
  WriteFile(Root() / "broken/x.json", "{\"token\": \"" + canary + "\", ");  // malformed: its error must not quote it
  WriteFile(Root() / "broken/y.env", "TOKEN=\"" + canary + "\n");
  std::vector<std::string> secrets = {canary, lone, lone + "X", Sha256HexOf(canary)};
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"discover", "."}, {"discover", ".", "--json"}, {"discover", ".", "--toml"},
           {"discover", ".", "--include-plain"}, {"discover", ".", "--log-level", "trace"}}) {
    ProcessResult r = SeamctlRaw(args);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    for (const std::string& s : secrets) {
      EXPECT_FALSE(Contains(r.out, s)) << args.back() << ": a value in stdout:\n" << r.out;
      EXPECT_FALSE(Contains(r.err, s)) << args.back() << ": a value in stderr:\n" << r.err;
    }
  }
}

TEST_F(DiscoverE2eTest, BadInputIsOneLineAndExitTwo) {
  EXPECT_TRUE(IsCleanError(SeamctlRaw({"discover", "absent"}), "absent: No such file or directory"));
  EXPECT_TRUE(IsCleanError(SeamctlRaw({"discover", ".", "--json", "--toml"}), "--json excludes --toml"));
  EXPECT_TRUE(IsCleanError(SeamctlRaw({"discover"}), "PATH is required"));
  ASSERT_EQ(::mkfifo((Root() / "fifo").c_str(), 0600), 0);
  EXPECT_TRUE(IsCleanError(SeamctlRaw({"discover", "fifo"}), "fifo: not a file or directory"));
  // A config named but broken: discover says where, as every command does.
  WriteFile(Root() / "seam.toml", "[[seam]]\nname = \"x\"\nkind = \"token\"\nentity = \"x\"\nbogus = 1\n");
  EXPECT_TRUE(IsCleanError(SeamctlRaw({"discover", "."}), "seam.toml:5"));
  // A tree holding a FIFO, a socket-like special file and a link loop is walked to the end.
  fs::remove(Root() / "seam.toml");
  fs::create_directories(Root() / "t");
  fs::create_symlink("..", Root() / "t/up");
  ProcessResult r = SeamctlRaw({"discover", "."});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// certbot's layout behind a real nginx: the certificate in live/ (two files), its key, and what
// nginx serves (--probe-tls) are one certificate seam; its --toml (a pem-file side on the fullest
// chain, a tls-endpoint side) is init'ed, adopted from the files, and checked in sync.
TEST_F(DiscoverE2eTest, CertbotsFilesAndWhatNginxServesAreOneCertificateSeam) {
  WriteFile(Root() / "renew.sh", kCertbotRenewScript);
  ASSERT_EQ(RunCertbotRenew(Root()).exit_code, 0);
  NginxServer nginx(Root() / "nginx", Root() / "live/web/fullchain.pem", Root() / "live/web/privkey.pem");
  ASSERT_EQ(nginx.Start(), "");
  const std::string endpoint = "127.0.0.1:" + std::to_string(nginx.port());

  ProcessResult r = SeamctlRaw({"discover", ".", "--exclude", "nginx", "--probe-tls", endpoint, "--json"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["groups"].size(), 1u) << r.out;
  const nlohmann::json& g = j["groups"][0];
  EXPECT_EQ(g["kind"], "certificate");
  EXPECT_NE(g["fingerprint"].get<std::string>().find("sha256:" + CertificateFileSha256(Root() / "live/web/cert.pem").substr(0, 16)),
            std::string::npos) << g.dump();
  std::set<std::string> places;
  for (const auto& p : g["places"])
    places.insert(p["format"].get<std::string>() + " " + (p["via_link"].is_null() ? p["file"].get<std::string>() : p["via_link"].get<std::string>()) +
                  " " + p["locator"].get<std::string>());
  EXPECT_EQ(places, (std::set<std::string>{"pem live/web/cert.pem certificate", "pem live/web/fullchain.pem certificate",
                                           "pem live/web/privkey.pem private key", "tls " + endpoint + " served certificate"}))
      << r.out;

  ProcessResult toml = SeamctlRaw({"discover", ".", "--exclude", "nginx", "--probe-tls", endpoint, "--toml"});
  EXPECT_NE(toml.out.find("cert_path = \"live/web/fullchain.pem\"\nkey_path = \"live/web/privkey.pem\""), std::string::npos) << toml.out;
  EXPECT_NE(toml.out.find("plugin = \"tls-endpoint\"\nhost = \"127.0.0.1\"\nport = \"" + std::to_string(nginx.port()) + "\""),
            std::string::npos) << toml.out;
  WriteFile(Root() / "seam.toml", toml.out);
  ASSERT_EQ(SeamctlRaw({"init"}).exit_code, 0);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(toml.out, m, std::regex("# then: seamctl (repair [a-z-]+)"))) << toml.out;
  ProcessResult adopted = SeamctlRaw(Words(m[1]));
  ASSERT_EQ(adopted.exit_code, 0) << adopted.out << adopted.err;
  ProcessResult check = SeamctlRaw({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  // Declared now, the served certificate included.
  ProcessResult again = SeamctlRaw({"discover", ".", "--exclude", "nginx", "--probe-tls", endpoint});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("already declared in the config: 1 group"), std::string::npos) << again.out;
}

TEST_F(DiscoverE2eTest, AServerThatCannotBeProbedIsAWarningAndABadEndpointAnError) {
  const int port = FreeLoopbackPort();
  ProcessResult r = SeamctlRaw({"discover", ".", "--probe-tls", "127.0.0.1:" + std::to_string(port)});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err, "seamctl: warning: 127.0.0.1:" + std::to_string(port) + ": connection refused\n");
  EXPECT_TRUE(IsCleanError(SeamctlRaw({"discover", ".", "--probe-tls", "no-port"}), "--probe-tls no-port: not HOST:PORT"));
  EXPECT_TRUE(IsCleanError(SeamctlRaw({"discover", ".", "--probe-tls", "host:99999"}), "not HOST:PORT"));
}

// File names are another program's bytes: a newline or a byte that is not UTF-8 in one is shown
// escaped on its one line, kept out of --toml (a comment says why), and --json still answers.
TEST_F(DiscoverE2eTest, HostileFileNamesStayOnTheirLineAndOutOfTheConfig) {
  const std::string token = kToken;
  WriteFile(Root() / "a/ok.env", "API_TOKEN=" + token + "\n");
  WriteFile(Root() / "d/ok.toml", "api_token = \"" + token + "\"\n");
  WriteFile(Root() / "b/evil\nseamctl: error: forged.env", "API_TOKEN=" + token + "\n");
  WriteFile(Root() / "c/bad\xff\xfe.env", "API_TOKEN=" + token + "\n");
  ProcessResult text = SeamctlRaw({"discover", "."});
  EXPECT_EQ(text.exit_code, 1) << text.out << text.err;
  EXPECT_NE(text.out.find("  b/evil\\nseamctl: error: forged.env  API_TOKEN"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  c/bad\\xff\\xfe.env  API_TOKEN"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("\nseamctl: error:"), std::string::npos) << text.out;
  ProcessResult json = SeamctlRaw({"discover", ".", "--json"});
  ASSERT_EQ(json.exit_code, 1) << json.err;
  EXPECT_EQ(nlohmann::json::parse(json.out)["groups"][0]["places"].size(), 4u);
  ProcessResult toml = SeamctlRaw({"discover", ".", "--toml"});
  EXPECT_NE(toml.out.find("# c/bad\\xff\\xfe.env API_TOKEN: its path or place is not UTF-8"), std::string::npos) << toml.out;
  EXPECT_NE(toml.out.find("# b/evil\\nseamctl: error: forged.env API_TOKEN: its path or place"), std::string::npos) << toml.out;
  // The rest is a config as it is: the two sides with plain names.
  WriteFile(Root() / "seam.toml", toml.out);
  ProcessResult init = SeamctlRaw({"init"});
  EXPECT_EQ(init.exit_code, 0) << init.err << "\n" << toml.out;
  ProcessResult check = SeamctlRaw({"check", "--json"});
  EXPECT_EQ(nlohmann::json::parse(check.out)["seams"][0]["sides"].size(), 2u) << check.out;
}

}  // namespace
}  // namespace seam::e2e
