// http-json: idle connections are shared per origin and reused while the server allows; a reused
// connection the server closed before answering is retried once on a fresh one, and nothing
// else is retried. Servers count the connections they accept.
#include <atomic>
#include <chrono>
#include <thread>

#include "tests/plugins/http_json/side_fixture.h"
#include "tests/plugins/http_json/test_pki.h"

namespace seam::testing {
namespace {

using State = Observation::State;

TEST_F(HttpJsonTest, TwoObservesUseOneConnection) {
  JsonResource res(R"({"token":"v"})");
  TestServer server(res.Handler());
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}});
  EXPECT_EQ(side->Observe().state, State::kValue);
  EXPECT_EQ(side->Observe().state, State::kValue);
  EXPECT_EQ(server.Requests().size(), 2u);
  EXPECT_EQ(server.Connections(), 1u);
}

TEST_F(HttpJsonTest, SidesOfOneOriginShareIdleConnections) {
  JsonResource res(R"({"token":"v"})");
  TestServer server(res.Handler());
  auto a = Make({{"url", Url(server.port()) + "?a"}, {"pointer", "/token"}});
  auto b = Make({{"url", Url(server.port()) + "?b"}, {"pointer", "/token"}});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(a->Observe().state, State::kValue);
    EXPECT_EQ(b->Observe().state, State::kValue);
  }
  EXPECT_EQ(server.Requests().size(), 6u);
  EXPECT_EQ(server.Connections(), 1u) << "one after another, the two sides need one connection";
}

TEST_F(HttpJsonTest, ConcurrentRequestsOpenConnectionsAndAllComeBackIdle) {
  JsonResource res(R"({"token":"v"})");
  TestServer server(res.Handler());
  std::vector<std::unique_ptr<Side>> sides;
  for (int i = 0; i < 4; ++i) sides.push_back(Make({{"url", Url(server.port())}, {"pointer", "/token"}}));
  std::vector<std::thread> threads;
  for (auto& side : sides) {
    threads.emplace_back([&side] {
      for (int i = 0; i < 5; ++i) EXPECT_EQ(side->Observe().state, State::kValue);
    });
  }
  for (std::thread& t : threads) t.join();
  const std::size_t opened = server.Connections();
  EXPECT_GE(opened, 1u);
  EXPECT_LE(opened, 4u) << "at most one connection per concurrent request";
  for (auto& side : sides) EXPECT_EQ(side->Observe().state, State::kValue);
  EXPECT_EQ(server.Connections(), opened) << "later requests reuse the idle ones";
}

TEST_F(HttpJsonTest, ObserveWriteAndObserveShareTheConnectionAcrossThreads) {
  JsonResource res(R"({"token":"old"})");
  TestServer server(res.Handler());
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}});
  ChangeMarker m;
  std::thread([&] { m = side->Observe().marker; }).join();  // never concurrently: one after another
  ASSERT_TRUE(side->Write(OneField("new"), m).ok());
  Observation o;
  std::thread([&] { o = side->Observe(); }).join();
  EXPECT_EQ(FieldText(o), "new");
  EXPECT_EQ(server.Requests().size(), 4u);  // GET, GET + PUT, GET
  EXPECT_EQ(server.Connections(), 1u);
}

TEST_F(HttpJsonTest, ErrorStatusesKeepTheConnection) {
  Reply reply{500, "", {}, false};
  TestServer server([&reply](const RecordedRequest&) { return reply; });
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}});
  EXPECT_EQ(side->Observe().state, State::kUnreadable);
  reply = Reply{200, R"({"token":"v"})", {}, false};
  EXPECT_EQ(side->Observe().state, State::kValue);
  EXPECT_EQ(server.Connections(), 1u);
}

TEST_F(HttpJsonTest, AServerThatSaysCloseGetsAConnectionPerRequest) {
  JsonResource res(R"({"token":"old"})");
  TestServer server(res.Handler(), std::nullopt, ConnectionMode::kClose);
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(side->Observe().state, State::kValue);
  ASSERT_TRUE(side->Write(OneField("new"), side->Observe().marker).ok());
  EXPECT_EQ(*res.body(), R"({"token":"new"})");
  EXPECT_EQ(server.Requests().size(), 6u);
  EXPECT_EQ(server.Connections(), 6u);
}

TEST_F(HttpJsonTest, AServerThatClosesSilentlyAfterEachResponseStillWorks) {
  // Each reuse finds the connection closed before any answer: retried once, on a fresh one.
  JsonResource res(R"({"token":"old"})");
  TestServer server(res.Handler(), std::nullopt, ConnectionMode::kCloseSilently);
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}});
  for (int i = 0; i < 3; ++i) {
    Observation o = side->Observe();
    EXPECT_EQ(o.state, State::kValue) << o.reason;
  }
  Status s = side->Write(OneField("new"), side->Observe().marker);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(*res.body(), R"({"token":"new"})");
  EXPECT_EQ(server.Requests().size(), 6u);  // each request reached the server once
  EXPECT_EQ(server.Connections(), 6u);
}

TEST_F(HttpJsonTest, OnlyAReusedConnectionIsRetriedAndOnlyOnce) {
  std::atomic<int> n{0};
  // The first request is answered; every later one is dropped without an answer.
  TestServer server([&n](const RecordedRequest&) {
    Reply r{200, R"({"token":"v"})", {}, false};
    r.drop = n++ > 0;
    return r;
  });
  std::string url = Url(server.port());
  auto side = Make({{"url", url}, {"pointer", "/token"}});
  EXPECT_EQ(side->Observe().state, State::kValue);
  // Reused connection dropped: one retry on a fresh connection, dropped too: reported.
  EXPECT_EQ(Unreadable(*side), "GET " + url + ": connection closed before a complete response");
  EXPECT_EQ(server.Requests().size(), 3u);
  EXPECT_EQ(server.Connections(), 2u);
  // No connection was kept: a fresh one, dropped, is not retried.
  EXPECT_EQ(Unreadable(*side), "GET " + url + ": connection closed before a complete response");
  EXPECT_EQ(server.Requests().size(), 4u);
  EXPECT_EQ(server.Connections(), 3u);
}

TEST_F(HttpJsonTest, ATimeoutOnAReusedConnectionIsNotRetried) {
  std::atomic<int> n{0};
  TestServer server([&n](const RecordedRequest&) {
    Reply r{200, R"({"token":"v"})", {}, false};
    r.hang = n++ > 0;
    return r;
  });
  std::string url = Url(server.port());
  auto side = Make({{"url", url}, {"pointer", "/token"}, {"timeout_ms", "300"}});
  EXPECT_EQ(side->Observe().state, State::kValue);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Unreadable(*side), "GET " + url + ": timed out after 300 ms");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));
  EXPECT_EQ(server.Requests().size(), 2u);
  EXPECT_EQ(server.Connections(), 1u);
}

TEST_F(HttpJsonTest, HttpsConnectionsAreReusedToo) {
  TestCa ca(dir_.path(), "ca");
  JsonResource res(R"({"token":"old"})");
  TestServer server(res.Handler(), ca.Issue("server", "DNS:localhost"));
  auto side = Make({{"url", "https://localhost:" + std::to_string(server.port()) + "/res"}, {"pointer", "/token"},
                    {"ca_file", ca.cert_file().string()}});
  EXPECT_EQ(side->Observe().state, State::kValue);
  ASSERT_TRUE(side->Write(OneField("new"), side->Observe().marker).ok());
  EXPECT_EQ(*res.body(), R"({"token":"new"})");
  EXPECT_EQ(server.Requests().size(), 4u);
  EXPECT_EQ(server.Connections(), 1u);
}

TEST_F(HttpJsonTest, HttpsServerClosingSilentlyStillWorks) {
  TestCa ca(dir_.path(), "ca");
  JsonResource res(R"({"token":"v"})");
  TestServer server(res.Handler(), ca.Issue("server", "DNS:localhost"), ConnectionMode::kCloseSilently);
  auto side = Make({{"url", "https://localhost:" + std::to_string(server.port()) + "/res"}, {"pointer", "/token"},
                    {"ca_file", ca.cert_file().string()}});
  for (int i = 0; i < 3; ++i) {
    Observation o = side->Observe();
    EXPECT_EQ(o.state, State::kValue) << o.reason;
  }
  EXPECT_EQ(server.Requests().size(), 3u);
  EXPECT_EQ(server.Connections(), 3u);
}

}  // namespace
}  // namespace seam::testing
