// http-json: Write / Remove (compare-and-swap on the marker, If-Match, 412) and CheckWritable.
#include <nlohmann/json.hpp>

#include "tests/plugins/http_json/side_fixture.h"

namespace seam::testing {
namespace {

using State = Observation::State;
using nlohmann::json;

const Record kNew = OneField("new-token-value");

TEST_F(HttpJsonTest, WritePutsTheWholeDocumentBackWithIfMatch) {
  JsonResource res(R"({"device":"d-42","auth":{"token":"old","scope":"rw"},"n":7})");
  TestServer server(res.Handler());
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/auth/token"}});
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kValue);
  ASSERT_TRUE(side->Write(kNew, o.marker).ok());
  EXPECT_EQ(json::parse(*res.body()),
            json::parse(R"({"device":"d-42","auth":{"token":"new-token-value","scope":"rw"},"n":7})"));
  auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 3u);  // observe, the write's GET, PUT
  EXPECT_EQ(requests[2].method, "PUT");
  EXPECT_EQ(requests[2].Header("if-match"), "\"v1\"");
  EXPECT_EQ(requests[2].Header("content-type"), "application/json");
  Observation after = side->Observe();
  ASSERT_EQ(after.state, State::kValue);
  EXPECT_EQ(FieldText(after), "new-token-value");
}

TEST_F(HttpJsonTest, WriteAfter404CreatesTheDocumentWithIfNoneMatch) {
  JsonResource res(std::nullopt);
  TestServer server(res.Handler());
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/a/b~1c/token"}, {"method", "POST"}});
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kMissing);
  ASSERT_TRUE(side->Write(kNew, o.marker).ok());
  EXPECT_EQ(json::parse(*res.body()), json::parse(R"({"a":{"b/c":{"token":"new-token-value"}}})"));
  auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[2].method, "POST");
  EXPECT_EQ(requests[2].Header("if-none-match"), "*");
  EXPECT_EQ(requests[2].Header("if-match"), "");
}

TEST_F(HttpJsonTest, WriteRefusesWhenTheResourceChangedSinceObserved) {
  JsonResource res(R"({"token":"old"})");
  TestServer server(res.Handler());
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}});
  Observation o = side->Observe();
  res.Set(R"({"token":"someone-else"})");
  Status s = side->Write(kNew, o.marker);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), Url(server.port()) + " changed since it was observed; not writing");
  EXPECT_EQ(server.Writes(), 0u);
  EXPECT_EQ(*res.body(), R"({"token":"someone-else"})");
}

TEST_F(HttpJsonTest, Write412IsARefusal) {
  JsonResource res(R"({"token":"old"})");
  // The resource changes between the write's GET and its PUT: the server's If-Match check says 412.
  TestServer server([&res](const RecordedRequest& r) {
    if (r.method == "PUT") res.Set(R"({"token":"raced"})");
    return res.Handle(r);
  });
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}});
  Status s = side->Write(kNew, side->Observe().marker);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "PUT " + Url(server.port()) + ": 412 Precondition Failed: changed since it was observed");
  EXPECT_EQ(*res.body(), R"({"token":"raced"})");
}

TEST_F(HttpJsonTest, WriteErrorsNameMethodUrlAndStatus) {
  JsonResource res(R"({"token":"old"})");
  TestServer server([&res](const RecordedRequest& r) {
    return r.method == "GET" ? res.Handle(r) : Reply{500, kSecret, {}, false, false, kSecret};
  });
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}, {"method", "PATCH"}});
  Status s = side->Write(kNew, side->Observe().marker);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.message(), "PATCH " + Url(server.port()) + ": 500 Internal Server Error");
}

TEST_F(HttpJsonTest, WriteRefusesDocumentsItCannotModifyAndSendsNothing) {
  Reply reply{200, R"({"token":{"nested":1}})", {}, false};
  TestServer server([&reply](const RecordedRequest&) { return reply; });
  std::string url = Url(server.port());
  auto side = Make({{"url", url}, {"pointer", "/token"}});
  ChangeMarker m = side->Observe().marker;
  Status s = side->Write(kNew, m);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "GET " + url + ": value at /token is an object, not a string; not writing");
  EXPECT_EQ(side->CheckWritable().code(), StatusCode::kFailedPrecondition);
  reply = Reply{200, "not json", {}, false};
  s = side->Write(kNew, side->Observe().marker);
  EXPECT_TRUE(Contains(s.message(), "invalid JSON")) << s.message();
  EXPECT_TRUE(Contains(s.message(), "; not writing")) << s.message();
  reply = Reply{500, "", {}, false};
  EXPECT_EQ(side->Write(kNew, m).message(), "GET " + url + ": 500 Internal Server Error; not writing");
  EXPECT_EQ(server.Writes(), 0u);
}

TEST_F(HttpJsonTest, RemoveDeletesTheUrlWithIfMatch) {
  JsonResource res(R"({"token":"old"})");
  TestServer server(res.Handler());
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}});
  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());
  EXPECT_FALSE(res.body().has_value());
  auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[2].method, "DELETE");
  EXPECT_EQ(requests[2].Header("if-match"), "\"v1\"");
  // Already absent: nothing to send.
  Observation o = side->Observe();
  EXPECT_EQ(o.state, State::kMissing);
  EXPECT_TRUE(side->Remove(o.marker).ok());
  EXPECT_EQ(server.Writes(), 1u);
}

TEST_F(HttpJsonTest, RemoveNullWritesNullAtThePointer) {
  JsonResource res(R"({"token":"old","keep":true})");
  TestServer server(res.Handler());
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}, {"remove", "null"}});
  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());
  EXPECT_EQ(json::parse(*res.body()), json::parse(R"({"token":null,"keep":true})"));
  EXPECT_EQ(side->Observe().state, State::kMissing);
  EXPECT_TRUE(side->Remove(side->Observe().marker).ok());  // already null: nothing sent
  EXPECT_EQ(server.Writes(), 1u);
}

TEST_F(HttpJsonTest, RemoveTreatsA404ToTheDeleteAsAlreadyGone) {
  JsonResource res(R"({"token":"old"})");
  TestServer server([&res](const RecordedRequest& r) { return r.method == "GET" ? res.Handle(r) : Reply{404, "", {}, false}; });
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}});
  EXPECT_TRUE(side->Remove(side->Observe().marker).ok());
  EXPECT_EQ(server.Requests().back().method, "DELETE");
}

TEST_F(HttpJsonTest, WriteWithoutValidatorsComparesTheBodyDigest) {
  JsonResource res(R"({"token":"old"})", Validators{false, false, false});
  TestServer server(res.Handler());
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}});
  ChangeMarker m = side->Observe().marker;
  res.Set(R"({"token":"other"})");
  EXPECT_EQ(side->Write(kNew, m).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(server.Writes(), 0u);
  ASSERT_TRUE(side->Write(kNew, side->Observe().marker).ok());
  EXPECT_EQ(json::parse(*res.body()), json::parse(R"({"token":"new-token-value"})"));
  // Nothing for the server to check: the documented window (a change between the write's GET
  // and its PUT is overwritten).
  EXPECT_EQ(server.Requests().back().Header("if-match"), "");
  EXPECT_EQ(server.Requests().back().Header("if-unmodified-since"), "");
}

TEST_F(HttpJsonTest, WriteWithLastModifiedSendsIfUnmodifiedSince) {
  JsonResource res(R"({"token":"old"})", Validators{false, false, true});
  TestServer server(res.Handler());
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}});
  ASSERT_TRUE(side->Write(kNew, side->Observe().marker).ok());
  EXPECT_EQ(json::parse(*res.body()), json::parse(R"({"token":"new-token-value"})"));
  RecordedRequest put = server.Requests().back();
  EXPECT_EQ(put.method, "PUT");
  EXPECT_EQ(put.Header("if-unmodified-since"), "Thu, 01 Jan 2026 00:00:01 GMT");
  EXPECT_EQ(put.Header("if-match"), "");
  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());
  EXPECT_EQ(server.Requests().back().method, "DELETE");
  EXPECT_EQ(server.Requests().back().Header("if-unmodified-since"), "Thu, 01 Jan 2026 00:00:02 GMT");
  EXPECT_FALSE(res.body().has_value());
}

TEST_F(HttpJsonTest, WriteWithLastModified412IsARefusal) {
  JsonResource res(R"({"token":"old"})", Validators{false, false, true});
  // Changed between the write's GET and its PUT: the server's If-Unmodified-Since check says 412.
  TestServer server([&res](const RecordedRequest& r) {
    if (r.method == "PUT") res.Set(R"({"token":"raced"})");
    return res.Handle(r);
  });
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}});
  Status s = side->Write(kNew, side->Observe().marker);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "PUT " + Url(server.port()) + ": 412 Precondition Failed: changed since it was observed");
  EXPECT_EQ(*res.body(), R"({"token":"raced"})");
}

TEST_F(HttpJsonTest, WeakEtagIsNeverSentInIfMatch) {
  // A weak tag never matches If-Match: sending one would make every write 412.
  JsonResource res(R"({"token":"old"})", Validators{true, true, false});
  TestServer server(res.Handler());
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}});
  ChangeMarker m = side->Observe().marker;
  res.Set(R"({"token":"other"})");  // caught by the body digest instead
  EXPECT_EQ(side->Write(kNew, m).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(side->Write(kNew, side->Observe().marker).ok());
  EXPECT_EQ(json::parse(*res.body()), json::parse(R"({"token":"new-token-value"})"));
  EXPECT_EQ(server.Requests().back().Header("if-match"), "");
  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());
  EXPECT_EQ(server.Requests().back().Header("if-match"), "");
  EXPECT_FALSE(res.body().has_value());

  // Weak ETag and Last-Modified: Last-Modified is the validator.
  JsonResource both(R"({"token":"old"})", Validators{true, true, true});
  TestServer server2(both.Handler());
  auto side2 = Make({{"url", Url(server2.port())}, {"pointer", "/token"}});
  ASSERT_TRUE(side2->Write(kNew, side2->Observe().marker).ok());
  EXPECT_EQ(server2.Requests().back().Header("if-match"), "");
  EXPECT_EQ(server2.Requests().back().Header("if-unmodified-since"), "Thu, 01 Jan 2026 00:00:01 GMT");
}

TEST_F(HttpJsonTest, WriteSendsTheConfiguredHeaders) {
  ::setenv("SEAM_HTTP_TEST_AUTH_W", kHeaderSecret, 1);
  JsonResource res(R"({"token":"old"})");
  TestServer server(res.Handler());
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"},
                    {"header_from_env", "Authorization: SEAM_HTTP_TEST_AUTH_W"}});
  ASSERT_TRUE(side->Write(kNew, side->Observe().marker).ok());
  for (const RecordedRequest& r : server.Requests()) EXPECT_EQ(r.Header("authorization"), kHeaderSecret);
  ::unsetenv("SEAM_HTTP_TEST_AUTH_W");
}

TEST_F(HttpJsonTest, CheckWritableAsksOnlyForAGet) {
  JsonResource res(std::nullopt);
  TestServer server(res.Handler());
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}});
  EXPECT_TRUE(side->CheckWritable().ok());  // 404: a write would create it
  res.Set(R"({"token":"x"})");
  EXPECT_TRUE(side->CheckWritable().ok());
  EXPECT_EQ(server.Writes(), 0u);

  std::string refused = Url(UnusedPort());
  Status s = Make({{"url", refused}, {"pointer", "/token"}})->CheckWritable();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "GET " + refused + ": connection refused");

  TestServer failing([](const RecordedRequest&) { return Reply{500, "", {}, false}; });
  s = Make({{"url", Url(failing.port())}, {"pointer", "/token"}})->CheckWritable();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(failing.Writes(), 0u);
}

}  // namespace
}  // namespace seam::testing
