// The seed's story told by a probe alone (issue 17's must-show): a device token kept in a CLI's
// paired.json and accepted by a real demo-gateway, whose only side in seam.toml is an http-probe
// of `POST /api/digest` (no admin API, no database side). A rotation ends only when the gateway
// accepts the new token (its on_repair hook puts the token's digest into the gateway's database,
// as an operator's script would); a gateway restarted from a stale backup is lagging by the
// probe alone, named by version, and repaired by `seamctl repair` and by seamd; a gateway that
// holds a token seam never issued is foreign. The token never appears in any output.
#include <gtest/gtest.h>

#include "tests/e2e/demo_gateway_fixture.h"
#include "tests/e2e/seamd_fixture.h"

namespace seam::e2e {
namespace {

constexpr char kDeviceSeam[] = "device-token";

class HttpProbeSeamTest : public DemoGatewayTest {
 protected:
  void SetUp() override {
    DemoGatewayTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(StartGateway());
    fs::create_directories(Root() / "cli");
    seam::testing::WriteFile(Root() / "cli/paired.json", "{\"device_id\": \"device-42\"}\n");
    // The operator's way to give the gateway a token: its digest into the gateway's database,
    // which it reads on every request.
    seam::testing::WriteFile(Root() / "push-token.sh", R"SH(#!/bin/sh
set -e
token=$(sed -nE 's/.*"token": *"([^"]+)".*/\1/p' cli/paired.json)
digest=$(printf %s "$token" | sha256sum | cut -d' ' -f1)
sqlite3 gateway/gateway.db "INSERT INTO pairings(device, token_sha256) VALUES('device-42', '$digest')
  ON CONFLICT(device) DO UPDATE SET token_sha256 = excluded.token_sha256;"
)SH");
    fs::permissions(Root() / "push-token.sh", fs::perms::owner_all);
    WriteConfig(R"([[seam]]
name = "device-token"
kind = "token"
entity = "device-42"
interval = "1s"
order = ["cli", "api"]

[seam.sides.cli]
plugin = "json-file"
path = "cli/paired.json"
pointer = "/token"

[seam.sides.api]
plugin = "http-probe"
url = "http://127.0.0.1:)" + std::to_string(port_) + R"(/api/digest"
method = "POST"
body = '{"device_id": "device-42", "data": "probe"}'
on_repair = ["./push-token.sh"]
settle_ms = "2000"
)");
    ProcessResult init = Seamctl({"init"});
    ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  }
  nlohmann::json Check(int* exit_code) {
    ProcessResult check = Seamctl({"check", kDeviceSeam, "--json"});
    *exit_code = check.exit_code;
    return nlohmann::json::parse(check.out, nullptr, false);
  }
  // What the client would get: the gateway's answer to the CLI's token.
  int ClientGets() const {
    const std::optional<std::string> token = CliToken();
    return Request(boost::beast::http::verb::post, "/api/digest", token.value_or(""),
                   "{\"device_id\": \"device-42\", \"data\": \"hello\"}");
  }
};

TEST_F(HttpProbeSeamTest, AGatewayBackFromAStaleBackupIsLaggingByTheProbeAlone) {
  ProcessResult issue = Seamctl({"token", "issue", kDeviceSeam});
  ASSERT_EQ(issue.exit_code, 0) << issue.out << issue.err;
  EXPECT_EQ(ClientGets(), 200);
  int code = 0;
  nlohmann::json report = Check(&code);
  EXPECT_EQ(code, 0) << report.dump(2);
  EXPECT_EQ(SideOf(report, "api")["verdict"], "in_sync") << report.dump(2);
  const std::int64_t issued = report["seams"][0]["intended"]["version"].get<std::int64_t>();

  // A backup job copies the gateway's database; a rotation ends once the gateway accepts the new
  // token (the hook ran, and the probe said yes).
  fs::copy_file(Root() / "gateway/gateway.db", Root() / "gateway/backup.db");
  ProcessResult rotate = Seamctl({"token", "rotate", kDeviceSeam});
  ASSERT_EQ(rotate.exit_code, 0) << rotate.out << rotate.err;
  EXPECT_EQ(ClientGets(), 200);
  report = Check(&code);
  EXPECT_EQ(code, 0) << report.dump(2);

  // The careless restart: back from the backup. Only the probe can see it, and names the version.
  StopGateway();
  ASSERT_NO_FATAL_FAILURE(StartGateway({"--restore", (Root() / "gateway/backup.db").string()}));
  EXPECT_EQ(ClientGets(), 403);
  report = Check(&code);
  EXPECT_EQ(code, 1) << report.dump(2);
  EXPECT_EQ(SideOf(report, "api")["verdict"], "lagging") << report.dump(2);
  EXPECT_EQ(SideOf(report, "api")["holds_version"], issued) << report.dump(2);
  EXPECT_EQ(SideOf(report, "cli")["verdict"], "in_sync") << report.dump(2);
  ProcessResult text = Seamctl({"check", kDeviceSeam});
  EXPECT_TRUE(Contains(text.out, "lagging")) << text.out;

  ProcessResult repair = Seamctl({"repair", kDeviceSeam});
  ASSERT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_EQ(ClientGets(), 200);
  report = Check(&code);
  EXPECT_EQ(code, 0) << report.dump(2);

  // A token nobody issued put into the gateway: foreign, by what it rejects.
  ProcessResult planted = RunProcess(
      {"sqlite3", (Root() / "gateway/gateway.db").string(),
       "UPDATE pairings SET token_sha256 = '" + std::string(64, 'a') + "' WHERE device = 'device-42';"});
  ASSERT_EQ(planted.exit_code, 0) << planted.err;
  report = Check(&code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(SideOf(report, "api")["verdict"], "foreign") << report.dump(2);
  EXPECT_TRUE(Contains(SideOf(report, "api")["detail"].get<std::string>(), "rejects rev 2 (intended) and 1 earlier one")) << report.dump(2);
  repair = Seamctl({"repair", kDeviceSeam});
  ASSERT_EQ(repair.exit_code, 0) << repair.out << repair.err;
  EXPECT_EQ(ClientGets(), 200);

  // seamd sees the same restart by the probe alone, and repairs it.
  const std::size_t closed_before = OfType(LogEvents(), "DriftClosed").size();
  ASSERT_NO_FATAL_FAILURE(StartSeamd({kDeviceSeam}));
  StopGateway();
  ASSERT_NO_FATAL_FAILURE(StartGateway({"--restore", (Root() / "gateway/backup.db").string()}));
  ASSERT_TRUE(WaitFor([&] { return OfType(LogEvents(), "DriftClosed").size() > closed_before; },
                      std::chrono::milliseconds(15000)))
      << DaemonLog();
  EXPECT_EQ(ClientGets(), 200);
  const std::vector<nlohmann::json> opened = OfType(LogEvents(), "DriftOpened");
  ASSERT_FALSE(opened.empty());
  EXPECT_EQ(opened.back()["details"]["side"], "api");

  const std::string token = CliToken().value_or("");
  ASSERT_FALSE(token.empty());
  for (const ProcessResult& r : transcript_) EXPECT_FALSE(Contains(r.out + r.err, token)) << r.out << r.err;
  EXPECT_FALSE(Contains(DaemonLog(), token));
  EXPECT_FALSE(Contains(seam::testing::ReadFile(DbFile()), token));
}

}  // namespace
}  // namespace seam::e2e
