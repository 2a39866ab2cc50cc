// The real demo-gateway binary on an ephemeral loopback port: admin API, compare-and-swap with
// ETag/If-Match, digest authorisation, limits, keep-alive, restore, and no plaintext token in its
// database or output.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"
#include "tests/tools/harness.h"

namespace seam::tools_test {
namespace {

using nlohmann::json;

const std::string kTokenA = "tok-A-3f9c1d7e5b2a4c6e8f0a1b2c3d4e5f60";
const std::string kTokenB = "tok-B-8e7d6c5b4a39281706f5e4d3c2b1a090";

class DemoGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(gateway_.Start()); }
  // Exit 0 on SIGTERM; under the sanitizers, a report in the gateway makes this fail.
  void TearDown() override { EXPECT_EQ(gateway_.Stop(), 0) << gateway_.Output(); }

  HttpResponse Digest(HttpClient& http, const std::string& device, const std::string& token,
                      const std::string& data = "hello") {
    std::map<std::string, std::string> headers;
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return http.Request("POST", "/api/digest", json{{"device_id", device}, {"data", data}}.dump(),
                        headers);
  }

  seam::testing::TempDir dir_;
  Gateway gateway_{dir_.path(), dir_ / "gateway.db"};
};

TEST_F(DemoGatewayTest, PutGetDeleteRoundTripWithETags) {
  HttpClient http(gateway_.port());
  const std::string hash = Sha256Hex(kTokenA);
  HttpResponse put = http.Request(
      "PUT", "/pairings/device-42",
      json{{"token_sha256", hash}, {"gateway_url", "http://gw"}, {"paired_at", "2024-01-01T00:00:00Z"}}.dump());
  ASSERT_EQ(put.status, 200u) << put.body;
  EXPECT_EQ(put.Header("content-type"), "application/json");
  const json stored = json::parse(put.body);
  const json health = json::parse(http.Request("GET", "/healthz").body);
  EXPECT_EQ(stored, (json{{"device_id", "device-42"}, {"token_sha256", hash},
                          {"gateway_url", "http://gw"}, {"paired_at", "2024-01-01T00:00:00Z"},
                          {"boot_id", health["boot_id"]}, {"started_at", health["started_at"]}}));
  const std::string etag1 = put.Header("etag");
  ASSERT_EQ(etag1.size(), 18u) << etag1;
  EXPECT_EQ(etag1.front(), '"');

  HttpResponse get = http.Request("GET", "/pairings/device-42");
  ASSERT_EQ(get.status, 200u);
  EXPECT_EQ(json::parse(get.body), stored);
  EXPECT_EQ(get.Header("etag"), etag1);

  // Compare-and-swap: the current ETag wins, a stale one gets 412 and the current ETag.
  HttpResponse put2 = http.Request("PUT", "/pairings/device-42",
                                   json{{"token_sha256", Sha256Hex(kTokenB)}}.dump(),
                                   {{"If-Match", etag1}});
  ASSERT_EQ(put2.status, 200u) << put2.body;
  const std::string etag2 = put2.Header("etag");
  EXPECT_NE(etag2, etag1);
  // Omitted optional members keep their values.
  EXPECT_EQ(json::parse(put2.body)["gateway_url"], "http://gw");
  HttpResponse stale = http.Request("PUT", "/pairings/device-42",
                                    json{{"token_sha256", hash}}.dump(), {{"If-Match", etag1}});
  EXPECT_EQ(stale.status, 412u);
  EXPECT_EQ(stale.Header("etag"), etag2);
  EXPECT_TRUE(json::parse(stale.body).contains("error"));
  EXPECT_EQ(json::parse(http.Request("GET", "/pairings/device-42").body)["token_sha256"],
            Sha256Hex(kTokenB));
  // If-None-Match: * only creates.
  EXPECT_EQ(http.Request("PUT", "/pairings/device-42", json{{"token_sha256", hash}}.dump(),
                         {{"If-None-Match", "*"}}).status, 412u);

  EXPECT_EQ(http.Request("DELETE", "/pairings/device-42", "", {{"If-Match", etag1}}).status, 412u);
  HttpResponse del = http.Request("DELETE", "/pairings/device-42", "", {{"If-Match", etag2}});
  EXPECT_EQ(del.status, 204u);
  EXPECT_TRUE(del.body.empty());
  EXPECT_EQ(http.Request("GET", "/pairings/device-42").status, 404u);
  EXPECT_EQ(http.Request("DELETE", "/pairings/device-42").status, 404u);
  // If-Match on an absent pairing fails; If-None-Match: * creates it.
  EXPECT_EQ(http.Request("PUT", "/pairings/device-42", json{{"token_sha256", hash}}.dump(),
                         {{"If-Match", "*"}}).status, 412u);
  HttpResponse created = http.Request("PUT", "/pairings/device-42",
                                      json{{"token_sha256", hash}}.dump(), {{"If-None-Match", "*"}});
  EXPECT_EQ(created.status, 200u);
  EXPECT_EQ(json::parse(created.body)["gateway_url"], nullptr);
}

TEST_F(DemoGatewayTest, PlaintextTokenIsHashedAndNeverStoredOrLogged) {
  {
    HttpClient http(gateway_.port());
    HttpResponse put = http.Request("PUT", "/pairings/dev-1", json{{"token", kTokenA}}.dump());
    ASSERT_EQ(put.status, 200u) << put.body;
    EXPECT_EQ(json::parse(put.body)["token_sha256"], Sha256Hex(kTokenA));
    EXPECT_EQ(put.body.find(kTokenA), std::string::npos);
    EXPECT_EQ(Digest(http, "dev-1", kTokenA).status, 200u);
    EXPECT_EQ(Digest(http, "dev-1", kTokenB).status, 403u);
  }
  ASSERT_EQ(gateway_.Stop(), 0);
  const std::string db = seam::testing::ReadFile(gateway_.db());
  ASSERT_FALSE(db.empty());
  EXPECT_NE(db.find(Sha256Hex(kTokenA)), std::string::npos);
  EXPECT_EQ(db.find(kTokenA), std::string::npos);
  EXPECT_EQ(db.find(kTokenB), std::string::npos);
  const std::string output = gateway_.Output();
  EXPECT_NE(output.find("POST /api/digest 403"), std::string::npos) << output;
  EXPECT_EQ(output.find(kTokenA), std::string::npos) << output;
  EXPECT_EQ(output.find(kTokenB), std::string::npos) << output;
}

TEST_F(DemoGatewayTest, BadRequestsAreRejectedWithJsonErrors) {
  HttpClient http(gateway_.port());
  const std::string hash = Sha256Hex(kTokenA);
  const auto expect_error = [](const HttpResponse& r, unsigned status, const std::string& what) {
    EXPECT_EQ(r.status, status) << what << ": " << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/json") << what;
    const json body = json::parse(r.body, nullptr, false);
    EXPECT_TRUE(body.is_object() && body.contains("error") && body["error"].is_string())
        << what << ": " << r.body;
  };
  expect_error(http.Request("PUT", "/pairings/d", "{not json"), 400, "bad JSON");
  expect_error(http.Request("PUT", "/pairings/d", "[1]"), 400, "not an object");
  expect_error(http.Request("PUT", "/pairings/d", json{{"token_sha256", "abc"}}.dump()), 400, "short hex");
  expect_error(http.Request("PUT", "/pairings/d", json{{"token_sha256", std::string(64, 'g')}}.dump()),
               400, "not hex");
  expect_error(http.Request("PUT", "/pairings/d", json{{"token_sha256", hash}, {"extra", 1}}.dump()),
               400, "unknown key");
  expect_error(http.Request("PUT", "/pairings/d", json{{"token_sha256", hash}, {"token", "x"}}.dump()),
               400, "both token forms");
  expect_error(http.Request("PUT", "/pairings/d", json{{"gateway_url", "http://gw"}}.dump()), 400,
               "create without a token");
  expect_error(http.Request("PUT", "/pairings/d", json{{"token", "x"}, {"device_id", "e"}}.dump()),
               400, "device_id mismatch");
  expect_error(http.Request("PUT", "/pairings/d", json{{"token", "x"}, {"paired_at", 5}}.dump()), 400,
               "paired_at not a string");
  expect_error(http.Request("GET", "/pairings/bad%20id"), 400, "bad device id");
  expect_error(http.Request("GET", "/pairings/nobody"), 404, "unknown device");
  expect_error(http.Request("GET", "/nowhere"), 404, "unknown path");
  HttpResponse post = http.Request("POST", "/pairings/d", "{}");
  expect_error(post, 405, "method");
  EXPECT_EQ(post.Header("allow"), "GET, PUT, DELETE");
  EXPECT_EQ(http.Request("GET", "/pairings/d").status, 404u) << "nothing was stored";
  // Upper-case hex is accepted and stored lower-cased.
  std::string upper = hash;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  HttpResponse put = http.Request("PUT", "/pairings/d", json{{"token_sha256", upper}}.dump());
  EXPECT_EQ(json::parse(put.body)["token_sha256"], hash);
}

TEST_F(DemoGatewayTest, DigestNeedsTheDevicesToken) {
  HttpClient http(gateway_.port());
  ASSERT_EQ(http.Request("PUT", "/pairings/dev-1", json{{"token_sha256", Sha256Hex(kTokenA)}}.dump()).status,
            200u);
  HttpResponse ok = Digest(http, "dev-1", kTokenA, "some data");
  ASSERT_EQ(ok.status, 200u) << ok.body;
  EXPECT_EQ(json::parse(ok.body), (json{{"digest", Sha256Hex("some data")}}));

  HttpResponse wrong = Digest(http, "dev-1", kTokenB);
  EXPECT_EQ(wrong.status, 403u);
  EXPECT_EQ(json::parse(wrong.body), (json{{"error", "token rejected"}}));
  EXPECT_EQ(Digest(http, "unknown-device", kTokenA).status, 403u);

  HttpResponse none = Digest(http, "dev-1", "");
  EXPECT_EQ(none.status, 401u);
  EXPECT_EQ(none.Header("www-authenticate").rfind("Bearer", 0), 0u);
  EXPECT_EQ(http.Request("POST", "/api/digest", json{{"device_id", "dev-1"}, {"data", "x"}}.dump(),
                         {{"Authorization", "Basic Zm9vOmJhcg=="}}).status, 401u);
  EXPECT_EQ(http.Request("POST", "/api/digest", "{\"data\":1}",
                         {{"Authorization", "Bearer " + kTokenA}}).status, 400u);
  EXPECT_EQ(http.Request("GET", "/api/digest").status, 405u);
}

TEST_F(DemoGatewayTest, HealthzReportsItsBoot) {
  HttpClient http(gateway_.port());
  HttpResponse h = http.Request("GET", "/healthz");
  ASSERT_EQ(h.status, 200u);
  const json body = json::parse(h.body);
  EXPECT_EQ(body["status"], "ok");
  EXPECT_EQ(body["boot_id"].get<std::string>().size(), 32u);
  EXPECT_EQ(body["started_at"].get<std::string>().size(), 27u);  // 2024-01-01T00:00:00.123456Z
  EXPECT_EQ(body["started_at"].get<std::string>().back(), 'Z');
}

// Each pairing response names the run serving it (as /healthz does), for seam's http-json
// `restart_marker`; a PUT of the fetched object, run members and all, is accepted and stores
// none of them; the ETag is the row's alone.
TEST_F(DemoGatewayTest, PairingResponsesCarryTheRunAndPutsIgnoreIt) {
  HttpClient http(gateway_.port());
  const json health = json::parse(http.Request("GET", "/healthz").body);
  ASSERT_EQ(http.Request("PUT", "/pairings/dev-1", json{{"token", kTokenA}}.dump()).status, 200u);
  HttpResponse get = http.Request("GET", "/pairings/dev-1");
  ASSERT_EQ(get.status, 200u);
  json fetched = json::parse(get.body);
  EXPECT_EQ(fetched["boot_id"], health["boot_id"]);
  EXPECT_EQ(fetched["started_at"], health["started_at"]);

  fetched["token_sha256"] = Sha256Hex(kTokenB);
  HttpResponse put = http.Request("PUT", "/pairings/dev-1", fetched.dump(), {{"If-Match", get.Header("etag")}});
  ASSERT_EQ(put.status, 200u) << put.body;
  EXPECT_EQ(json::parse(put.body), fetched);
  // Members naming some other run are ignored too: they describe the process, not the pairing.
  json other = fetched;
  other["boot_id"] = "not-this-run";
  other["started_at"] = 5;
  HttpResponse put2 = http.Request("PUT", "/pairings/dev-1", other.dump(), {{"If-Match", put.Header("etag")}});
  ASSERT_EQ(put2.status, 200u) << put2.body;
  EXPECT_EQ(json::parse(put2.body), fetched);
  EXPECT_EQ(put2.Header("etag"), put.Header("etag"));  // the row did not change
  EXPECT_EQ(Digest(http, "dev-1", kTokenB).status, 200u);
  ASSERT_EQ(gateway_.Stop(), 0);
  const std::string db = seam::testing::ReadFile(gateway_.db());
  EXPECT_EQ(db.find(health["boot_id"].get<std::string>()), std::string::npos);
  EXPECT_EQ(db.find("not-this-run"), std::string::npos);
}

TEST_F(DemoGatewayTest, KeepAliveServesManyRequestsOnOneConnection) {
  HttpClient http(gateway_.port());
  const unsigned short local = http.local_port();
  for (int i = 0; i < 20; ++i) {
    const std::string device = "dev-" + std::to_string(i);
    HttpResponse put = http.Request("PUT", "/pairings/" + device, json{{"token", kTokenA}}.dump());
    ASSERT_EQ(put.status, 200u) << i;
    EXPECT_TRUE(put.keep_alive);
    ASSERT_EQ(http.Request("GET", "/pairings/" + device).status, 200u) << i;
    ASSERT_EQ(Digest(http, device, kTokenA).status, 200u) << i;
    ASSERT_EQ(Digest(http, device, kTokenB).status, 403u) << i;
    ASSERT_EQ(http.Request("GET", "/healthz").status, 200u) << i;
  }
  EXPECT_EQ(http.local_port(), local);
  // Connection: close is honoured.
  HttpResponse last = http.Request("GET", "/healthz", "", {{"Connection", "close"}});
  EXPECT_EQ(last.status, 200u);
  EXPECT_FALSE(last.keep_alive);
  EXPECT_TRUE(http.WaitClosed(std::chrono::seconds(5)));
}

TEST_F(DemoGatewayTest, OversizeBodyAndHeadersAreRefused) {
  {
    HttpClient http(gateway_.port());
    HttpResponse big = http.Raw(
        "PUT /pairings/d HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 70000\r\n\r\n");
    EXPECT_EQ(big.status, 413u) << big.body;
    EXPECT_TRUE(http.WaitClosed(std::chrono::seconds(5)));
  }
  {
    HttpClient http(gateway_.port());
    HttpResponse big = http.Raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                std::string(20000, 'a') + "\r\n\r\n");
    EXPECT_EQ(big.status, 431u) << big.body;
  }
  {
    HttpClient http(gateway_.port());
    EXPECT_EQ(http.Raw("NOT-HTTP\r\n\r\n").status, 400u);
  }
  // A body just under the limit is read (and judged on its content).
  HttpClient http(gateway_.port());
  const std::string body = json{{"token", std::string(60 * 1024, 'x')}}.dump();
  EXPECT_EQ(http.Request("PUT", "/pairings/d", body).status, 200u);
}

// Another program (seam's sqlite-row side, say) updates the row while the gateway runs: the very
// next request sees it, because the gateway keeps no copy and holds no lock between requests.
TEST(DemoGatewayProcess, SeesRowsWrittenByAnotherProgram) {
  seam::testing::TempDir dir;
  Gateway gateway(dir.path(), dir / "g.db");
  ASSERT_TRUE(gateway.Start({"--synchronous", "NORMAL"}));
  HttpClient http(gateway.port());
  ASSERT_EQ(http.Request("PUT", "/pairings/dev-1", json{{"token", kTokenA}}.dump()).status, 200u);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "g.db").c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  const std::string sql =
      "UPDATE pairings SET token_sha256 = '" + Sha256Hex(kTokenB) + "' WHERE device = 'dev-1'";
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  EXPECT_EQ(json::parse(http.Request("GET", "/pairings/dev-1").body)["token_sha256"],
            Sha256Hex(kTokenB));
  const auto digest = [&](const std::string& token) {
    return http.Request("POST", "/api/digest", json{{"device_id", "dev-1"}, {"data", "d"}}.dump(),
                        {{"Authorization", "Bearer " + token}}).status;
  };
  EXPECT_EQ(digest(kTokenB), 200u);
  EXPECT_EQ(digest(kTokenA), 403u);
  EXPECT_EQ(gateway.Stop(), 0);
}

TEST(DemoGatewayProcess, IdleConnectionTimesOut) {
  seam::testing::TempDir dir;
  Gateway gateway(dir.path(), dir / "g.db");
  ASSERT_TRUE(gateway.Start({"--timeout-ms", "200"}));
  HttpClient http(gateway.port());
  EXPECT_EQ(http.Raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").status, 200u);
  EXPECT_TRUE(http.WaitClosed(std::chrono::seconds(5)));
  EXPECT_EQ(gateway.Stop(), 0);
}

TEST(DemoGatewayProcess, RefusesNonLoopbackAndBadArguments) {
  seam::testing::TempDir dir;
  RunResult remote = RunProgram({DEMO_GATEWAY_PATH, "--listen", "0.0.0.0:0", "--db", (dir / "g.db").string()},
                         dir.path());
  EXPECT_EQ(remote.exit_code, 2);
  EXPECT_NE(remote.err.find("demo-gateway: error: refusing to listen on non-loopback"),
            std::string::npos)
      << remote.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "g.db"));
  EXPECT_EQ(RunProgram({DEMO_GATEWAY_PATH, "--db", (dir / "g.db").string()}, dir.path()).exit_code, 2);
  EXPECT_EQ(RunProgram({DEMO_GATEWAY_PATH, "--listen", "127.0.0.1:x", "--db", "g.db"}, dir.path()).exit_code,
            2);
  RunResult restore = RunProgram({DEMO_GATEWAY_PATH, "--listen", "127.0.0.1:0", "--db",
                           (dir / "g.db").string(), "--restore", (dir / "absent.db").string()},
                          dir.path());
  EXPECT_EQ(restore.exit_code, 2);
  RunResult help = RunProgram({DEMO_GATEWAY_PATH, "--help"}, dir.path());
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("POST   /api/digest"), std::string::npos);
}

// Another gateway process on the same database answers the same pairing with another boot_id,
// and the same ETag: the row did not change, only the run.
TEST(DemoGatewayProcess, PairingBootIdChangesWithTheProcess) {
  seam::testing::TempDir dir;
  Gateway gateway(dir.path(), dir / "g.db");
  ASSERT_TRUE(gateway.Start());
  json first;
  std::string etag;
  {
    HttpClient http(gateway.port());
    ASSERT_EQ(http.Request("PUT", "/pairings/dev-1", json{{"token", kTokenA}}.dump()).status, 200u);
    HttpResponse get = http.Request("GET", "/pairings/dev-1");
    ASSERT_EQ(get.status, 200u);
    first = json::parse(get.body);
    etag = get.Header("etag");
  }
  EXPECT_EQ(first["boot_id"].get<std::string>().size(), 32u);
  EXPECT_EQ(gateway.Stop(), 0);
  ASSERT_TRUE(gateway.Start());
  HttpClient http(gateway.port());
  HttpResponse get = http.Request("GET", "/pairings/dev-1");
  ASSERT_EQ(get.status, 200u);
  const json second = json::parse(get.body);
  EXPECT_NE(second["boot_id"], first["boot_id"]);
  EXPECT_EQ(second["boot_id"], json::parse(http.Request("GET", "/healthz").body)["boot_id"]);
  EXPECT_EQ(second["token_sha256"], first["token_sha256"]);
  EXPECT_EQ(get.Header("etag"), etag);
  // The first run's document PUT back to the second run: accepted, the old boot_id ignored.
  json echoed = first;
  echoed["gateway_url"] = "http://gw";
  HttpResponse put = http.Request("PUT", "/pairings/dev-1", echoed.dump(), {{"If-Match", etag}});
  ASSERT_EQ(put.status, 200u) << put.body;
  EXPECT_EQ(json::parse(put.body)["boot_id"], second["boot_id"]);
  EXPECT_EQ(json::parse(put.body)["gateway_url"], "http://gw");
  EXPECT_EQ(gateway.Stop(), 0);
}

// The demo story: pair with token A, back up the database, rotate to B; the gateway restarts
// from the stale backup; the client holding B is refused while /healthz says ok.
TEST(DemoGatewayProcess, RestoreFromStaleBackupRefusesTheRotatedToken) {
  seam::testing::TempDir dir;
  const auto db = dir / "gateway.db";
  const auto backup = dir / "gateway.db.bak";
  Gateway gateway(dir.path(), db);
  ASSERT_TRUE(gateway.Start());
  std::string boot_id;
  {
    HttpClient http(gateway.port());
    ASSERT_EQ(http.Request("PUT", "/pairings/device-42", json{{"token", kTokenA}}.dump()).status, 200u);
    std::filesystem::copy_file(db, backup);  // while it runs: a plain copy is a full backup
    ASSERT_EQ(http.Request("PUT", "/pairings/device-42", json{{"token", kTokenB}}.dump()).status, 200u);
    boot_id = json::parse(http.Request("GET", "/healthz").body)["boot_id"];
  }
  const auto paired = dir / "paired.json";
  const auto write_paired = [&](const std::string& token) {
    seam::testing::WriteFile(paired, json{{"device_id", "device-42"}, {"token", token},
                                          {"gateway_url", gateway.url()}}.dump());
  };
  write_paired(kTokenB);
  RunResult before = RunProgram({DEMO_CLIENT_PATH, "--paired", paired.string()}, dir.path());
  EXPECT_EQ(before.exit_code, 0) << before.out << before.err;

  EXPECT_EQ(gateway.Stop(), 0);
  ASSERT_TRUE(gateway.Start({"--restore", backup.string()}));
  write_paired(kTokenB);  // the new port
  RunResult after = RunProgram({DEMO_CLIENT_PATH, "--paired", paired.string()}, dir.path());
  EXPECT_EQ(after.exit_code, 1);
  EXPECT_EQ(after.out, "403 Forbidden: token rejected\n");
  {
    HttpClient http(gateway.port());
    HttpResponse health = http.Request("GET", "/healthz");
    EXPECT_EQ(health.status, 200u);
    EXPECT_NE(json::parse(health.body)["boot_id"], boot_id);
    EXPECT_EQ(json::parse(http.Request("GET", "/pairings/device-42").body)["token_sha256"],
              Sha256Hex(kTokenA));
  }
  write_paired(kTokenA);
  EXPECT_EQ(RunProgram({DEMO_CLIENT_PATH, "--paired", paired.string()}, dir.path()).exit_code, 0);
  EXPECT_EQ(gateway.Stop(), 0);
  const std::string output = gateway.Output();
  EXPECT_NE(output.find("restored from"), std::string::npos) << output;
  EXPECT_EQ(output.find(kTokenA), std::string::npos);
  EXPECT_EQ(output.find(kTokenB), std::string::npos);
}

}  // namespace
}  // namespace seam::tools_test
