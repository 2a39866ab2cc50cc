// http-json over https: peer verification against a CA made in the test (ca_file), the host
// name / address check, SNI, and writes over TLS.
#include "tests/plugins/http_json/side_fixture.h"
#include "tests/plugins/http_json/test_pki.h"

namespace seam::testing {
namespace {

using State = Observation::State;

class HttpJsonTlsTest : public HttpJsonTest {
 protected:
  HttpJsonTlsTest() : ca_(dir_.path(), "ca"), other_ca_(dir_.path(), "other-ca") {}
  static std::string HttpsUrl(std::uint16_t port, const char* host = "localhost") {
    return std::string("https://") + host + ":" + std::to_string(port) + "/res";
  }
  TestCa ca_;
  TestCa other_ca_;
};

TEST_F(HttpJsonTlsTest, VerifiedGetWithCaFileByNameAndByAddress) {
  JsonResource res(std::string(R"({"token":")") + kSecret + "\"}");
  TestServer server(res.Handler(), ca_.Issue("server", "DNS:localhost,IP:127.0.0.1"));
  for (const char* host : {"localhost", "127.0.0.1"}) {
    auto side = Make({{"url", HttpsUrl(server.port(), host)}, {"pointer", "/token"},
                      {"ca_file", ca_.cert_file().string()}});
    Observation o = side->Observe();
    ASSERT_EQ(o.state, State::kValue) << host << ": " << o.reason;
    EXPECT_EQ(FieldText(o), kSecret);
  }
  auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].sni, "localhost");
  EXPECT_EQ(requests[1].sni, "");  // no SNI for an IP address
}

TEST_F(HttpJsonTlsTest, WriteOverTlsUsesIfMatch) {
  JsonResource res(R"({"token":"old"})");
  TestServer server(res.Handler(), ca_.Issue("server", "DNS:localhost"));
  auto side = Make({{"url", HttpsUrl(server.port())}, {"pointer", "/token"}, {"ca_file", ca_.cert_file().string()}});
  ASSERT_TRUE(side->Write(OneField("fresh"), side->Observe().marker).ok());
  EXPECT_EQ(*res.body(), R"({"token":"fresh"})");
  EXPECT_EQ(server.Requests().back().Header("if-match"), "\"v1\"");
}

TEST_F(HttpJsonTlsTest, UnknownCaFailsWithoutCaFileOrWithAnotherCa) {
  JsonResource res(R"({"token":"x"})");
  TestServer server(res.Handler(), ca_.Issue("server", "DNS:localhost"));
  std::string url = HttpsUrl(server.port());
  EXPECT_EQ(Unreadable(*Make({{"url", url}, {"pointer", "/token"}})),
            "GET " + url + ": TLS handshake failed: unable to get local issuer certificate");
  EXPECT_EQ(Unreadable(*Make({{"url", url}, {"pointer", "/token"}, {"ca_file", other_ca_.cert_file().string()}})),
            "GET " + url + ": TLS handshake failed: unable to get local issuer certificate");
  Status s = Make({{"url", url}, {"pointer", "/token"}})->CheckWritable();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(s.message(), "TLS handshake failed")) << s.message();
  EXPECT_TRUE(server.Requests().empty());
}

TEST_F(HttpJsonTlsTest, CertificateForAnotherNameFails) {
  JsonResource res(R"({"token":"x"})");
  TestServer server(res.Handler(), ca_.Issue("wrong", "DNS:wrong.example,IP:10.9.9.9"));
  std::string by_name = HttpsUrl(server.port());
  EXPECT_EQ(Unreadable(*Make({{"url", by_name}, {"pointer", "/token"}, {"ca_file", ca_.cert_file().string()}})),
            "GET " + by_name + ": TLS handshake failed: hostname mismatch");
  std::string by_ip = HttpsUrl(server.port(), "127.0.0.1");
  EXPECT_EQ(Unreadable(*Make({{"url", by_ip}, {"pointer", "/token"}, {"ca_file", ca_.cert_file().string()}})),
            "GET " + by_ip + ": TLS handshake failed: IP address mismatch");
  EXPECT_TRUE(server.Requests().empty());
}

TEST_F(HttpJsonTlsTest, HttpsToAPlainHttpServerFails) {
  JsonResource res(R"({"token":"x"})");
  TestServer server(res.Handler());
  std::string url = HttpsUrl(server.port());
  std::string reason = Unreadable(*Make({{"url", url}, {"pointer", "/token"}, {"timeout_ms", "1000"}}));
  EXPECT_TRUE(Contains(reason, "GET " + url + ": ")) << reason;
  EXPECT_EQ(server.Writes(), 0u);
}

TEST_F(HttpJsonTlsTest, UnreadableCaFileIsNamed) {
  std::string url = HttpsUrl(UnusedPort());
  std::string missing = (dir_ / "no-ca.pem").string();
  std::string reason = Unreadable(*Make({{"url", url}, {"pointer", "/token"}, {"ca_file", missing}}));
  EXPECT_TRUE(Contains(reason, "GET " + url + ": cannot load ca_file " + missing)) << reason;
}

}  // namespace
}  // namespace seam::testing
