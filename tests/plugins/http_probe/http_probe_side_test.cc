// http-probe against a real HTTP(S) server on 127.0.0.1: the factory's checks (https or
// loopback only, the header template), what each answer means (2xx yes, 401/403 no, anything
// else unknown and no more values sent), what is sent (the header, the body, nothing else), TLS
// verified, and that no value reaches a message. The candidates come from a fixed source;
// tests/e2e/e2e_probe_http_test.cc gets them from a real log against the demo gateway.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/side_options.h"
#include "plugins/http_probe/http_probe_side.h"
#include "tests/plugins/common/probe_fixture.h"
#include "tests/plugins/http_json/test_pki.h"
#include "tests/plugins/http_json/test_server.h"
#include "tests/support/temp_dir.h"

namespace seam {
namespace {

using testing::Reply;
using testing::RecordedRequest;
using testing::TestServer;

constexpr char kV7[] = "token-version-seven-0123456789";
constexpr char kV5[] = "token-version-five-0123456789";
constexpr char kV3[] = "token-version-three-012345678";

Reply Status(unsigned status, std::string body) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// The service: 200 for the bearer token it knows, 403 for any other, 401 without one.
Reply Knows(const std::string& token, const RecordedRequest& r) {
  const std::string auth = r.Header("authorization");
  if (auth.empty()) return Status(401, "{\"error\":\"no token\"}");
  return auth == "Bearer " + token ? Status(200, "{\"digest\":\"ok\"}") : Status(403, "{\"error\":\"token rejected\"}");
}

class HttpProbeTest : public testing::ProbeFixture {
 protected:
  HttpProbeTest() : ProbeFixture(&MakeHttpProbeSide, "token") {
    candidates_ = ProbeCandidates{true, {Candidate(7, kV7), Candidate(5, kV5), Candidate(3, kV3)}};
  }
  SideOptions Options(const std::string& url) {
    SideOptions o("seam.toml", dir_.path(), "device-token", "api", 10);
    o.SetKind(KindFields{"token", {"token"}, "token"});
    o.Set("url", OptionValue{url, 11});
    return o;
  }
  static std::string Local(const TestServer& server, const std::string& path = "/api/digest") {
    return "http://127.0.0.1:" + std::to_string(server.port()) + path;
  }
  static std::vector<std::string> Sent(const TestServer& server) {
    std::vector<std::string> out;
    for (const RecordedRequest& r : server.Requests()) out.push_back(r.Header("authorization"));
    return out;
  }

  seam::testing::TempDir dir_;
};

TEST_F(HttpProbeTest, FactoryChecksItsKeys) {
  const std::string where = "seam.toml:11: seam `device-token` side `api`: key `url` ";
  EXPECT_EQ(FactoryError(Options("http://gateway.example/api")),
            where + "is http:// to gateway.example, which is not a loopback address: a probe sends a credential, "
                    "so only https:// or http://127.0.0.1 (::1, localhost)");
  EXPECT_EQ(FactoryError(Options("http://10.0.0.1/api")).find(where + "is http:// to 10.0.0.1"), 0u);
  for (const char* ok : {"http://127.0.0.1:9/x", "http://127.8.9.1/x", "http://[::1]:9/x", "http://localhost:9/x",
                         "https://gateway.example/api"}) {
    SideOptions allowed = Options(ok);
    EXPECT_TRUE(MakeHttpProbeSide(allowed).ok()) << ok;
  }
  EXPECT_EQ(FactoryError(Options("ftp://x")).rfind(where, 0), 0u);

  const std::string header_where = "seam.toml:12: seam `device-token` side `api`: key `header` ";
  const std::string want = "must look like \"Authorization: Bearer {value}\" (a header name, then a value holding "
                           "{value} once)";
  for (const char* bad : {"Authorization: Bearer", "Authorization Bearer {value}", ": {value}",
                          "X-Key: {value}{value}"}) {
    SideOptions o = Options("http://127.0.0.1:9/x");
    o.Set("header", OptionValue{std::string(bad), 12});
    EXPECT_EQ(FactoryError(std::move(o)), header_where + want) << bad;
  }
  SideOptions host = Options("http://127.0.0.1:9/x");
  host.Set("header", OptionValue{std::string("Host: {value}"), 12});
  EXPECT_EQ(FactoryError(std::move(host)), header_where + "cannot set `Host`: the side sets it itself");

  SideOptions get_body = Options("http://127.0.0.1:9/x");
  get_body.Set("body", OptionValue{std::string("{}"), 13});
  EXPECT_EQ(FactoryError(std::move(get_body)),
            "seam.toml:13: seam `device-token` side `api`: key `body` is for POST, PUT or PATCH, not GET");
  SideOptions value_body = Options("http://127.0.0.1:9/x");
  value_body.Set("method", OptionValue{std::string("post"), 14});
  value_body.Set("body", OptionValue{std::string("{\"token\":\"{value}\"}"), 13});
  EXPECT_EQ(FactoryError(std::move(value_body)),
            "seam.toml:13: seam `device-token` side `api`: key `body` cannot hold {value}: the value goes in "
            "`header` only");
  SideOptions method = Options("http://127.0.0.1:9/x");
  method.Set("method", OptionValue{std::string("DELETE"), 14});
  EXPECT_EQ(FactoryError(std::move(method)), "seam.toml:14: seam `device-token` side `api`: key `method` must be "
                                             "\"GET\", \"HEAD\", \"POST\", \"PUT\" or \"PATCH\", got \"DELETE\"");
  SideOptions ca = Options("http://127.0.0.1:9/x");
  ca.Set("ca_file", OptionValue{std::string("ca.pem"), 15});
  EXPECT_EQ(FactoryError(std::move(ca)), "seam.toml:15: seam `device-token` side `api`: key `ca_file` is only for https:// urls");
  SideOptions unknown = Options("http://127.0.0.1:9/x");
  unknown.Set("write", OptionValue{std::string("x"), 16});
  EXPECT_EQ(FactoryError(std::move(unknown)), "seam.toml:16: seam `device-token` side `api`: unknown key `write`");
}

TEST_F(HttpProbeTest, TheIntendedTokenAcceptedIsHeldAfterOneRequest) {
  TestServer server([](const RecordedRequest& r) { return Knows(kV7, r); });
  SideOptions o = Options(Local(server));
  o.Set("method", OptionValue{std::string("POST"), 12});
  o.Set("body", OptionValue{std::string("{\"device_id\":\"device-42\",\"data\":\"probe\"}"), 13});
  auto side = Make(std::move(o));
  Observation obs = side->Observe();
  ASSERT_EQ(obs.state, Observation::State::kValue) << obs.reason;
  EXPECT_EQ(obs.Field("token")->Reveal(), kV7);
  EXPECT_EQ(obs.marker.opaque, "accepted:version-7");
  ASSERT_EQ(server.Requests().size(), 1u);
  const RecordedRequest r = server.Requests()[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/api/digest");
  EXPECT_EQ(r.body, "{\"device_id\":\"device-42\",\"data\":\"probe\"}");
  EXPECT_EQ(r.Header("authorization"), std::string("Bearer ") + kV7);
  EXPECT_EQ(asked_older_, 3u);
  EXPECT_FALSE(side->Writable());
  EXPECT_EQ(side->Write(Record{{"token", Secret(std::string(kV7))}}, obs.marker).code(), StatusCode::kFailedPrecondition);
}

TEST_F(HttpProbeTest, AStaleServiceIsHeldAtTheVersionItAccepts) {
  TestServer server([](const RecordedRequest& r) { return Knows(kV5, r); });
  auto side = Make(Options(Local(server)));
  Observation obs = side->Observe();
  ASSERT_EQ(obs.state, Observation::State::kValue) << obs.reason;
  EXPECT_EQ(obs.Field("token")->Reveal(), kV5);
  EXPECT_EQ(Sent(server), (std::vector<std::string>{std::string("Bearer ") + kV7, std::string("Bearer ") + kV5}));
}

TEST_F(HttpProbeTest, RejectedEverywhereIsNoneAccepted) {
  TestServer server([](const RecordedRequest& r) { return Knows("something else", r); });
  SideOptions o = Options(Local(server));
  o.Set("header", OptionValue{std::string("X-Api-Key: key={value};v=1"), 12});
  auto side = Make(std::move(o));
  Observation obs = side->Observe();
  EXPECT_TRUE(obs.none_accepted);
  EXPECT_EQ(obs.reason, "rejects version 7 (intended) and 2 earlier ones");
  ASSERT_EQ(server.Requests().size(), 3u);
  EXPECT_EQ(server.Requests()[0].Header("x-api-key"), std::string("key=") + kV7 + ";v=1");
  EXPECT_EQ(server.Requests()[0].Header("authorization"), "") << "401 counts as a rejection too";
}

TEST_F(HttpProbeTest, AnyOtherAnswerIsUnreadableAndStopsTheTries) {
  TestServer server([](const RecordedRequest&) { return Status(500, "{\"error\":\"database is down\"}"); });
  auto side = Make(Options(Local(server)));
  Observation obs = side->Observe();
  ASSERT_EQ(obs.state, Observation::State::kUnreadable);
  EXPECT_EQ(obs.reason, "http-probe GET " + Local(server) +
                            ": answered 500 Internal Server Error (only 2xx accepts a value, 401 and 403 reject it)");
  EXPECT_EQ(server.Requests().size(), 1u);

  TestServer redirect([](const RecordedRequest&) { Reply r = Status(302, "");
    r.headers = {{"Location", "http://evil.example/"}};
    return r; });
  Observation moved = Make(Options(Local(redirect)))->Observe();
  EXPECT_EQ(moved.state, Observation::State::kUnreadable);
  EXPECT_EQ(redirect.Requests().size(), 1u) << "a redirect is never followed with the credential";

  const std::string refused = "http://127.0.0.1:" + std::to_string(testing::UnusedPort()) + "/x";
  Observation down = Make(Options(refused))->Observe();
  EXPECT_EQ(down.state, Observation::State::kUnreadable);
  EXPECT_EQ(down.reason, "http-probe GET " + refused + ": connection refused");
}

TEST_F(HttpProbeTest, AnEndlessAnswerIsCutAtItsCap) {
  TestServer server([](const RecordedRequest&) {
    Reply r = Status(200, std::string(3 * 1024 * 1024, 'x'));
    r.chunked = true;
    return r;
  });
  const auto started = std::chrono::steady_clock::now();
  Observation obs = Make(Options(Local(server)))->Observe();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  ASSERT_EQ(obs.state, Observation::State::kUnreadable);
  EXPECT_EQ(obs.reason, "http-probe GET " + Local(server) + ": response body over 1 MiB");
  EXPECT_EQ(server.Requests().size(), 1u);
}

TEST_F(HttpProbeTest, ASilentServiceIsCutAtTheDeadline) {
  TestServer server([](const RecordedRequest&) { Reply r;
    r.hang = true;
    return r; });
  auto side = Make(Options(Local(server)));
  const auto started = std::chrono::steady_clock::now();
  Observation obs = side->Observe(started + std::chrono::milliseconds(200));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  EXPECT_EQ(obs.state, Observation::State::kUnreadable);
}

TEST_F(HttpProbeTest, AValueThatCannotBeAHeaderIsNeverSent) {
  TestServer server([](const RecordedRequest& r) { return Knows(kV7, r); });
  candidates_ = ProbeCandidates{true, {Candidate(4, "line\r\nX-Injected: yes")}};
  Observation obs = Make(Options(Local(server)))->Observe();
  EXPECT_EQ(obs.state, Observation::State::kUnreadable);
  EXPECT_EQ(obs.reason, "http-probe GET " + Local(server) +
                            ": version 4's value has a control character, so it cannot be sent in a header");
  EXPECT_EQ(server.Requests().size(), 0u);
}

TEST_F(HttpProbeTest, HttpsIsVerified) {
  testing::TestCa ca(dir_.path(), "ca");
  TestServer server([](const RecordedRequest& r) { return Knows(kV7, r); }, ca.Issue("server", "DNS:localhost,IP:127.0.0.1"));
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/api/digest";
  Observation untrusted = Make(Options(url))->Observe();
  EXPECT_EQ(untrusted.state, Observation::State::kUnreadable);
  EXPECT_NE(untrusted.reason.find("TLS handshake failed"), std::string::npos) << untrusted.reason;
  EXPECT_EQ(server.Requests().size(), 0u) << "no credential before the server is verified";
  SideOptions trusted = Options(url);
  trusted.Set("ca_file", OptionValue{ca.cert_file().string(), 12});
  Observation obs = Make(std::move(trusted))->Observe();
  ASSERT_EQ(obs.state, Observation::State::kValue) << obs.reason;
  EXPECT_EQ(obs.Field("token")->Reveal(), kV7);
}

}  // namespace
}  // namespace seam
