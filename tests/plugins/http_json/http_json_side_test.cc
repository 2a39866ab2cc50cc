// http-json: the factory's config checks and what Observe reports, against a real HTTP server
// on 127.0.0.1. Writes are in http_json_side_write_test.cc, https in http_json_side_tls_test.cc.
#include <chrono>

#include "plugins/common/url.h"
#include "tests/plugins/http_json/side_fixture.h"

namespace seam::testing {
namespace {

using State = Observation::State;
const std::string kDoc = std::string(R"({"device":"d-42","auth":{"token":")") + kSecret + R"("},"n":7})";

// --- factory ---------------------------------------------------------------------------------

TEST_F(HttpJsonTest, FactoryRequiresUrlAndPointer) {
  EXPECT_TRUE(Contains(FactoryError({{"pointer", "/token"}}), "url")) << FactoryError({{"pointer", "/token"}});
  EXPECT_TRUE(Contains(FactoryError({{"url", "http://h/x"}}), "pointer"));
}

TEST_F(HttpJsonTest, FactoryRejectsBadUrlsNamingTheLine) {
  std::string e = FactoryError({{"url", "ftp://host/x"}, {"pointer", "/token"}});
  EXPECT_TRUE(Contains(e, "seam.toml:11")) << e;
  EXPECT_TRUE(Contains(e, "key `url` must start with http:// or https://")) << e;
  e = FactoryError({{"url", "http://user:pw@host/x"}, {"pointer", "/token"}});
  EXPECT_TRUE(Contains(e, "header_from_env")) << e;
  EXPECT_FALSE(Contains(e, "pw@")) << e;
  EXPECT_TRUE(Contains(FactoryError({{"url", "http://host:99999/x"}, {"pointer", "/t"}}), "invalid port"));
  EXPECT_TRUE(Contains(FactoryError({{"url", "http:///x"}, {"pointer", "/t"}}), "no host"));
  EXPECT_TRUE(Contains(FactoryError({{"url", "http://host/x#frag"}, {"pointer", "/t"}}), "fragment"));
  EXPECT_TRUE(Contains(FactoryError({{"url", "http://host/a b"}, {"pointer", "/t"}}), "spaces"));
}

TEST(HttpJsonUrlTest, ParsesHostPortAndTarget) {
  Result<Url> v6 = ParseUrl("https://[::1]/a/b?c=d");
  ASSERT_TRUE(v6.ok()) << v6.status().ToString();
  EXPECT_TRUE(v6->https);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_TRUE(v6->host_is_ip);
  EXPECT_EQ(v6->port, "443");
  EXPECT_EQ(v6->host_header, "[::1]");
  EXPECT_EQ(v6->target, "/a/b?c=d");
  Result<Url> named = ParseUrl("HTTP://gw.example:8080?q=1");
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_FALSE(named->https);
  EXPECT_FALSE(named->host_is_ip);
  EXPECT_EQ(named->host_header, "gw.example:8080");
  EXPECT_EQ(named->target, "/?q=1");
  Result<Url> plain = ParseUrl("http://gw");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->port, "80");
  EXPECT_EQ(plain->host_header, "gw");
  EXPECT_EQ(plain->target, "/");
  EXPECT_FALSE(ParseUrl("http://gw:").ok());
  EXPECT_FALSE(ParseUrl("http://[::1/x").ok());
  EXPECT_FALSE(ParseUrl("http://g w/").ok());
}

TEST_F(HttpJsonTest, FactoryRejectsBadPointerNamingTheLine) {
  std::string e = FactoryError({{"url", "http://h/x"}, {"pointer", "token"}});
  EXPECT_TRUE(Contains(e, "seam.toml:12: seam `device-token` side `gateway`: key `pointer`")) << e;
  // An empty place is refused by the field map itself (core/side_options.h), for every plugin.
  EXPECT_TRUE(Contains(FactoryError({{"url", "http://h/x"}, {"pointer", ""}}), "seam.toml:12: seam `device-token` side `gateway`: key `pointer` is empty"));
  EXPECT_TRUE(Contains(FactoryError({{"url", "http://h/x"}, {"pointer", "/a~2"}}), "`~`"));
}

TEST_F(HttpJsonTest, FactoryChecksMethodRemoveNumbersAndHeaders) {
  auto with = [&](const char* key, const std::string& value) {
    return FactoryError({{"url", "http://h/x"}, {"pointer", "/t"}, {key, value}});
  };
  EXPECT_TRUE(Contains(with("method", "GET"), "key `method` must be \"PUT\", \"POST\" or \"PATCH\""));
  EXPECT_TRUE(Contains(with("remove", "keep"), "key `remove` must be \"delete\""));
  EXPECT_TRUE(Contains(with("timeout_ms", "2s"), "key `timeout_ms` must be a string of digits"));
  EXPECT_TRUE(Contains(with("connect_timeout_ms", "0"), "from 1 to 600000"));
  EXPECT_TRUE(Contains(with("body_limit", "-1"), "key `body_limit`"));
  EXPECT_TRUE(Contains(with("header_from_env", "Authorization"), "must look like \"Header-Name: ENV_VAR\""));
  EXPECT_TRUE(Contains(with("header_from_env", "Authorization: 1BAD"), "invalid environment variable"));
  EXPECT_TRUE(Contains(with("header_from_env", "Bad Name: VAR"), "invalid header name"));
  EXPECT_TRUE(Contains(with("header_from_file", "Host: /x"), "cannot set `Host`"));
  EXPECT_TRUE(Contains(with("header_from_env", "If-Unmodified-Since: X"), "cannot set `If-Unmodified-Since`"));
  EXPECT_TRUE(Contains(with("ca_file", "ca.pem"), "only for https://"));
  EXPECT_TRUE(Contains(with("insecure_skip_verify", "true"), "insecure_skip_verify"));
  std::string e = FactoryError({{"url", "http://h/x"}, {"pointer", "/t"}, {"header_from_env", "X-A: A"},
                                {"header_from_file", "x-a: f"}});
  EXPECT_TRUE(Contains(e, "already sets")) << e;
}

TEST_F(HttpJsonTest, FactoryDoesNoIoAndDescribeHidesNothingSecret) {
  auto side = Make({{"url", Url(UnusedPort(), "/pairings/d-42?x=1")}, {"pointer", "/auth/token"},
                    {"method", "patch"}, {"remove", "null"}, {"header_from_env", "Authorization: NO_SUCH_VAR_X"},
                    {"header_from_file", "X-Key: missing/file"}, {"timeout_ms", "300"},
                    {"connect_timeout_ms", "100"}, {"body_limit", "1024"}});
  ASSERT_NE(side, nullptr);
  EXPECT_TRUE(Contains(side->Describe(), "http-json http://127.0.0.1:")) << side->Describe();
  EXPECT_TRUE(Contains(side->Describe(), "/pairings/d-42?x=1#/auth/token")) << side->Describe();
}

// --- observe ---------------------------------------------------------------------------------

TEST_F(HttpJsonTest, ObservesTheStringAtThePointerWithTheEtagAsMarker) {
  JsonResource res(kDoc);
  TestServer server(res.Handler());
  auto side = Make({{"url", Url(server.port(), "/pairings/d-42")}, {"pointer", "/auth/token"}});
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o), kSecret);
  EXPECT_EQ(side->Observe().marker, o.marker);
  res.Set(kDoc);  // same body, new ETag
  EXPECT_NE(side->Observe().marker, o.marker);
  auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/pairings/d-42");
  EXPECT_EQ(requests[0].Header("accept"), "application/json");
  EXPECT_EQ(requests[0].Header("host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(server.Writes(), 0u);
}

TEST_F(HttpJsonTest, MissingFor404AbsentMemberAndNull) {
  JsonResource res(std::nullopt);
  TestServer server(res.Handler());
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/auth/token"}});
  EXPECT_EQ(side->Observe().state, State::kMissing);
  EXPECT_TRUE(side->Observe().answered_absent);  // the server was reached and said 404
  res.Set(R"({"auth":{}})");
  EXPECT_EQ(side->Observe().state, State::kMissing);
  EXPECT_TRUE(side->Observe().answered_absent);
  res.Set(R"({"auth":{"token":null}})");
  EXPECT_EQ(side->Observe().state, State::kMissing);
  res.Set(R"({"other":1})");
  EXPECT_EQ(side->Observe().state, State::kMissing);
  EXPECT_EQ(server.Writes(), 0u);
}

TEST_F(HttpJsonTest, UnreadableThroughANonObjectOrForANonString) {
  JsonResource res(std::string(R"({"auth":"x)") + kSecret + R"(","n":{"token":5}})");
  TestServer server(res.Handler());
  std::string url = Url(server.port());
  EXPECT_EQ(Unreadable(*Make({{"url", url}, {"pointer", "/auth/token"}})),
            "GET " + url + ": /auth/token: /auth is a string, not an object");
  EXPECT_EQ(Unreadable(*Make({{"url", url}, {"pointer", "/n/token"}})),
            "GET " + url + ": value at /n/token is a number, not a string");
  res.Set("[1,2]");
  EXPECT_EQ(Unreadable(*Make({{"url", url}, {"pointer", "/n"}})),
            "GET " + url + ": /n: the document is an array, not an object");
}

TEST_F(HttpJsonTest, UnreadableForServerErrorsGarbageAndRedirects) {
  Reply reply;
  TestServer server([&reply](const RecordedRequest&) { return reply; });
  std::string url = Url(server.port());
  auto side = Make({{"url", url}, {"pointer", "/token"}});
  reply = Reply{500, std::string("{\"token\":\"") + kSecret + "\"}", {}, false};
  EXPECT_EQ(Unreadable(*side), "GET " + url + ": 500 Internal Server Error");
  reply = Reply{200, std::string("<html>") + kSecret, {{"Content-Type", "text/html"}}, false};
  EXPECT_EQ(Unreadable(*side), "GET " + url + ": invalid JSON at line 1, column 1 (Content-Type text/html)");
  reply = Reply{200, "", {}, false};
  EXPECT_EQ(Unreadable(*side), "GET " + url + " is empty, not JSON");
  reply = Reply{302, "", {{"Location", "/elsewhere"}}, false};
  EXPECT_EQ(Unreadable(*side), "GET " + url + ": 302 Found (redirects are not followed)");
  reply = Reply{401, "", {}, false};
  EXPECT_EQ(Unreadable(*side), "GET " + url + ": 401 Unauthorized");
  for (const RecordedRequest& r : server.Requests()) EXPECT_EQ(r.target, "/res");
  EXPECT_EQ(server.Requests().size(), 5u);
  EXPECT_EQ(server.Writes(), 0u);
}

TEST_F(HttpJsonTest, UnreadableForABodyOverTheLimit) {
  std::string big = "{\"token\":\"" + std::string(5 * 1024 * 1024, 'x') + "\"}";
  TestServer server([&big](const RecordedRequest&) { return Reply{200, big, {}, false}; });
  std::string url = Url(server.port());
  EXPECT_EQ(Unreadable(*Make({{"url", url}, {"pointer", "/token"}})), "GET " + url + ": response body over 1 MiB");
  EXPECT_EQ(Unreadable(*Make({{"url", url}, {"pointer", "/token"}, {"body_limit", "100"}})),
            "GET " + url + ": response body over 100 bytes");
  TestServer chunked([&big](const RecordedRequest&) { return Reply{200, big, {}, false, true}; });
  std::string chunked_url = Url(chunked.port());
  EXPECT_EQ(Unreadable(*Make({{"url", chunked_url}, {"pointer", "/token"}})),
            "GET " + chunked_url + ": response body over 1 MiB");
  EXPECT_EQ(server.Writes(), 0u);
}

TEST_F(HttpJsonTest, ReasonsNeverShowTheServersReasonPhraseOrContentTypeParameters) {
  Reply reply;
  TestServer server([&reply](const RecordedRequest&) { return reply; });
  std::string url = Url(server.port());
  auto side = Make({{"url", url}, {"pointer", "/token"}});
  // The status line's reason phrase is the server's free text: only the standard one is shown.
  reply = Reply{500, "", {}, false, false, std::string("token=") + kSecret};
  EXPECT_EQ(Unreadable(*side), "GET " + url + ": 500 Internal Server Error");
  reply = Reply{567, "", {}, false, false, std::string("token=") + kSecret};
  EXPECT_EQ(Unreadable(*side), "GET " + url + ": 567");
  // Content-Type: the media type only, without its parameters, at most 64 characters.
  reply = Reply{200, "<html>", {{"Content-Type", std::string("text/html; charset=utf-8; token=") + kSecret}}, false};
  EXPECT_EQ(Unreadable(*side), "GET " + url + ": invalid JSON at line 1, column 1 (Content-Type text/html)");
  reply = Reply{200, "<html>", {{"Content-Type", "text/" + std::string(100, 'x') + kSecret}}, false};
  EXPECT_EQ(Unreadable(*side),
            "GET " + url + ": invalid JSON at line 1, column 1 (Content-Type text/" + std::string(59, 'x') + "...)");
  reply = Reply{200, "<html>", {{"Content-Type", std::string("text/html ") + kSecret}}, false};
  EXPECT_EQ(Unreadable(*side), "GET " + url + ": invalid JSON at line 1, column 1 (Content-Type text/html)");
}

TEST_F(HttpJsonTest, HostNamesAreResolved) {
  JsonResource res(R"({"token":"v"})");
  TestServer server(res.Handler());
  auto side = Make({{"url", "http://localhost:" + std::to_string(server.port()) + "/res"}, {"pointer", "/token"}});
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o), "v");
}

TEST_F(HttpJsonTest, UnreadableWhenTheServerHangsPastTheTimeout) {
  TestServer server([](const RecordedRequest&) { return Reply{200, "", {}, true}; });
  std::string url = Url(server.port());
  auto side = Make({{"url", url}, {"pointer", "/token"}, {"timeout_ms", "300"}});
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Unreadable(*side), "GET " + url + ": timed out after 300 ms");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(server.Writes(), 0u);
}

TEST_F(HttpJsonTest, UnreadableWhenTheConnectionIsRefused) {
  std::string url = Url(UnusedPort());
  EXPECT_EQ(Unreadable(*Make({{"url", url}, {"pointer", "/token"}})), "GET " + url + ": connection refused");
}

TEST_F(HttpJsonTest, MarkerFallsBackToLastModifiedAndBodyDigest) {
  Reply reply{200, R"({"token":"a"})", {{"Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"}}, false};
  TestServer server([&reply](const RecordedRequest&) { return reply; });
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}});
  ChangeMarker first = side->Observe().marker;
  EXPECT_EQ(side->Observe().marker, first);
  reply.body = R"({"token":"b"})";  // same Last-Modified (same second), other content
  ChangeMarker second = side->Observe().marker;
  EXPECT_NE(second, first);
  reply.headers.clear();
  ChangeMarker digest_only = side->Observe().marker;
  EXPECT_NE(digest_only, second);
  EXPECT_EQ(side->Observe().marker, digest_only);
  reply.body = R"({"token":"c"})";
  EXPECT_NE(side->Observe().marker, digest_only);
}

TEST_F(HttpJsonTest, HeadersFromEnvAndFileAreSentAndNeverShown) {
  ::setenv("SEAM_HTTP_TEST_AUTH", kHeaderSecret, 1);
  WriteFile(dir_ / "key.txt", std::string("file-secret-9\nsecond line\n"));
  TestServer server([](const RecordedRequest&) { return Reply{503, kHeaderSecret, {}, false}; });
  std::string url = Url(server.port());
  auto side = Make({{"url", url}, {"pointer", "/token"}, {"header_from_env", "Authorization: SEAM_HTTP_TEST_AUTH"},
                    {"header_from_file", "X-Api-Key: key.txt"}});
  std::string reason = Unreadable(*side);
  EXPECT_EQ(reason, "GET " + url + ": 503 Service Unavailable");
  EXPECT_FALSE(Contains(reason, "file-secret-9"));
  auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].Header("authorization"), kHeaderSecret);
  EXPECT_EQ(requests[0].Header("x-api-key"), "file-secret-9");
  ::unsetenv("SEAM_HTTP_TEST_AUTH");
}

TEST_F(HttpJsonTest, UnsetHeaderSourceIsUnreadableWithoutARequest) {
  TestServer server([](const RecordedRequest&) { return Reply{200, "{}", {}, false}; });
  std::string url = Url(server.port());
  ::unsetenv("SEAM_HTTP_TEST_UNSET");
  EXPECT_EQ(Unreadable(*Make({{"url", url}, {"pointer", "/t"}, {"header_from_env", "Authorization: SEAM_HTTP_TEST_UNSET"}})),
            "GET " + url + ": header `Authorization`: environment variable SEAM_HTTP_TEST_UNSET is not set");
  std::string reason = Unreadable(*Make({{"url", url}, {"pointer", "/t"}, {"header_from_file", "X-Key: nope.txt"}}));
  EXPECT_EQ(reason, "GET " + url + ": header `X-Key`: cannot read " + (dir_ / "nope.txt").string() +
                        ": No such file or directory");
  ::setenv("SEAM_HTTP_TEST_CTRL", "a\x01" "b", 1);
  EXPECT_TRUE(Contains(Unreadable(*Make({{"url", url}, {"pointer", "/t"}, {"header_from_env", "X-A: SEAM_HTTP_TEST_CTRL"}})),
                       "control character"));
  ::unsetenv("SEAM_HTTP_TEST_CTRL");
  EXPECT_TRUE(server.Requests().empty());
}

}  // namespace
}  // namespace seam::testing
