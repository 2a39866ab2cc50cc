// The real demo-client binary against the real demo-gateway: exit codes 0 / 1 / 2, its one-line
// output, and that the token never appears in anything it prints.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"
#include "tests/tools/harness.h"

namespace seam::tools_test {
namespace {

using nlohmann::json;

const std::string kToken = "client-token-5d41402abc4b2a76b9719d911017c592";

class DemoClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(gateway_.Start());
    HttpClient http(gateway_.port());
    ASSERT_EQ(http.Request("PUT", "/pairings/device-42",
                           json{{"token_sha256", Sha256Hex(kToken)}}.dump()).status,
              200u);
  }
  // Exit 0 on SIGTERM; under the sanitizers, a report in the gateway makes this fail.
  void TearDown() override { EXPECT_EQ(gateway_.Stop(), 0) << gateway_.Output(); }

  RunResult Client(const std::string& paired_text, const std::vector<std::string>& extra = {}) {
    const auto paired = dir_ / "paired.json";
    seam::testing::WriteFile(paired, paired_text);
    std::vector<std::string> argv = {DEMO_CLIENT_PATH, "--paired", paired.string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    RunResult r = RunProgram(argv, dir_.path());
    EXPECT_EQ(r.out.find(kToken), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find(kToken), std::string::npos) << r.err;
    return r;
  }
  std::string Paired(const std::string& token, const std::string& url = "") {
    return json{{"device_id", "device-42"}, {"token", token},
                {"gateway_url", url.empty() ? gateway_.url() : url}}.dump();
  }

  seam::testing::TempDir dir_;
  Gateway gateway_{dir_.path(), dir_ / "gateway.db"};
};

TEST_F(DemoClientTest, RightTokenExitsZeroAndPrintsTheDigest) {
  RunResult r = Client(Paired(kToken), {"--data", "abc"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "200 OK: digest " + Sha256Hex("abc") + "\n");
  EXPECT_EQ(r.err, "");
  // A base path with a trailing slash is fine.
  EXPECT_EQ(Client(Paired(kToken, gateway_.url() + "/")).exit_code, 0);
}

TEST_F(DemoClientTest, WrongTokenExitsOne) {
  RunResult r = Client(Paired("some-other-token"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "403 Forbidden: token rejected\n");
}

TEST_F(DemoClientTest, ATokenThatOccursInsideTheRedactionMarkerDoesNotHang) {
  // "d" occurs in "[redacted]" and in "token rejected": redaction must move past its own marker.
  RunResult r = Client(Paired("d"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "403 Forbi[redacted][redacted]en: token rejecte[redacted]\n");
}

TEST_F(DemoClientTest, UnreachableGatewayExitsOne) {
  // A port that was just free: bind, note it, close.
  unsigned short port = 0;
  {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor acceptor(
        ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }
  RunResult r = Client(Paired(kToken, "http://127.0.0.1:" + std::to_string(port)));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("gateway unreachable"), std::string::npos) << r.out;
}

TEST_F(DemoClientTest, BadInputExitsTwoWithOneLine) {
  const auto expect_bad = [](const RunResult& r, const std::string& what) {
    EXPECT_EQ(r.exit_code, 2) << what;
    EXPECT_EQ(r.err.rfind("demo-client: error: ", 0), 0u) << what << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << what << ": " << r.err;
    EXPECT_EQ(r.out, "") << what;
  };
  RunResult missing = RunProgram({DEMO_CLIENT_PATH, "--paired", (dir_ / "absent.json").string()}, dir_.path());
  expect_bad(missing, "missing file");
  // Truncated right after the token: the parser's own message would quote it.
  expect_bad(Client("{\"device_id\": \"device-42\", \"token\": \"" + kToken + "\" \"x"), "invalid JSON");
  expect_bad(Client("{\"device_id\": \"device-42\", \"token\": " + kToken + "}"), "bare token");
  expect_bad(Client("[]"), "not an object");
  RunResult no_token = Client(json{{"device_id", "device-42"}, {"gateway_url", gateway_.url()}}.dump());
  expect_bad(no_token, "missing token");
  EXPECT_NE(no_token.err.find("`token`"), std::string::npos) << no_token.err;
  expect_bad(Client(json{{"token", kToken}, {"gateway_url", gateway_.url()}}.dump()), "missing device");
  expect_bad(Client(json{{"device_id", "d"}, {"token", kToken}}.dump()), "missing url");
  expect_bad(Client(Paired(kToken, "https://127.0.0.1:1")), "https");
  expect_bad(Client(json{{"device_id", 4}, {"token", kToken}, {"gateway_url", gateway_.url()}}.dump()),
             "device not a string");
  expect_bad(RunProgram({DEMO_CLIENT_PATH}, dir_.path()), "no --paired");
}

}  // namespace
}  // namespace seam::tools_test
