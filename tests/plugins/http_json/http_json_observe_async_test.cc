// http-json's ObserveAsync: the same observation as Observe, made on the network thread without
// holding the caller's, so that many slow servers are waited on together.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/plugins/http_json/side_fixture.h"

namespace seam::testing {
namespace {

// Collects what ObserveAsync calls back with, from the network thread.
class Answers {
 public:
  std::function<void(Observation)> Slot(std::size_t i) {
    return [this, i](Observation o) {
      std::lock_guard<std::mutex> lock(mu_);
      got_.resize(std::max(got_.size(), i + 1));
      got_[i] = std::move(o);
      ++count_;
      cv_.notify_all();
    };
  }
  std::size_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }
  // Waits (up to 30 s, a bound for a broken build, never a figure) for `n` answers.
  bool WaitFor(std::size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return count_ >= n; });
  }
  Observation Take(std::size_t i) {
    std::lock_guard<std::mutex> lock(mu_);
    return std::move(got_.at(i));
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Observation> got_;
  std::size_t count_ = 0;
};

TEST_F(HttpJsonTest, ObserveAsyncReportsWhatObserveReports) {
  std::string body = std::string(R"({"auth":{"token":")") + kSecret + R"("}})";
  unsigned status = 200;
  TestServer server([&](const RecordedRequest&) { return Reply{status, body, {{"ETag", "\"v1\""}}, false}; });
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/auth/token"}});
  ASSERT_TRUE(side->ObservesAsync());
  for (unsigned s : {200u, 404u, 500u}) {
    status = s;
    Answers answers;
    side->ObserveAsync(kNoDeadline, answers.Slot(0));
    ASSERT_TRUE(answers.WaitFor(1));
    Observation async = answers.Take(0);
    Observation sync = side->Observe();
    EXPECT_EQ(async.state, sync.state) << s;
    EXPECT_EQ(async.marker, sync.marker) << s;
    EXPECT_EQ(async.reason, sync.reason) << s;
    EXPECT_EQ(async.fields.size(), sync.fields.size()) << s;
    if (s == 200) {
      ASSERT_NE(async.Field("token"), nullptr);
      EXPECT_EQ(async.Field("token")->Reveal(), kSecret);
    }
  }
  EXPECT_EQ(server.Writes(), 0u);
}

TEST_F(HttpJsonTest, ObserveAsyncOfAnUnsetHeaderAnswersAtOnceWithoutARequest) {
  TestServer server([](const RecordedRequest&) { return Reply{200, "{}", {}, false}; });
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}, {"header_from_env", "Authorization: SEAM_TEST_UNSET_ENV"}});
  Answers answers;
  side->ObserveAsync(kNoDeadline, answers.Slot(0));
  ASSERT_TRUE(answers.WaitFor(1));
  Observation o = answers.Take(0);
  EXPECT_EQ(o.state, Observation::State::kUnreadable);
  EXPECT_TRUE(Contains(o.reason, "SEAM_TEST_UNSET_ENV is not set")) << o.reason;
  EXPECT_EQ(server.Requests().size(), 0u);
}

// The cause, not a time: forty servers that never answer are all connected to before the first
// deadline passes, so none waits behind another; then each ends with its own timeout.
TEST_F(HttpJsonTest, HangingServersAreWaitedOnTogether) {
  constexpr std::size_t kSides = 40;
  TestServer server([](const RecordedRequest&) { return Reply{200, "", {}, true}; });
  std::vector<std::unique_ptr<Side>> sides;
  for (std::size_t i = 0; i < kSides; ++i) {
    sides.push_back(Make({{"url", Url(server.port(), "/res/" + std::to_string(i))},
                          {"pointer", "/token"},
                          {"timeout_ms", "4000"}}));
  }
  Answers answers;
  for (std::size_t i = 0; i < kSides; ++i) sides[i]->ObserveAsync(kNoDeadline, answers.Slot(i));
  // Every request reached the server while none had been answered.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (server.Requests().size() < kSides && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::size_t answered_before = answers.count();
  EXPECT_EQ(server.Requests().size(), kSides);
  EXPECT_EQ(answered_before, 0u);
  ASSERT_TRUE(answers.WaitFor(kSides));
  for (std::size_t i = 0; i < kSides; ++i) {
    Observation o = answers.Take(i);
    EXPECT_EQ(o.state, Observation::State::kUnreadable);
    EXPECT_TRUE(Contains(o.reason, ": timed out after 4000 ms")) << o.reason;
  }
}

// A blocking Fetch made where it would wait on itself fails instead of hanging the process.
TEST_F(HttpJsonTest, ABlockingObserveFromTheNetworkThreadFailsInsteadOfWaitingOnItself) {
  TestServer server([](const RecordedRequest&) { return Reply{200, R"({"token":"x"})", {}, false}; });
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}});
  Answers answers;
  Side* raw = side.get();
  auto slot = answers.Slot(0);
  side->ObserveAsync(kNoDeadline, [raw, slot](Observation) { slot(raw->Observe()); });
  ASSERT_TRUE(answers.WaitFor(1));
  Observation o = answers.Take(0);
  EXPECT_EQ(o.state, Observation::State::kUnreadable);
  EXPECT_TRUE(Contains(o.reason, "would wait on itself")) << o.reason;
}

// A caller's deadline before the side's own timeout ends the exchange then, blocking or not,
// and the reason names the deadline rather than the timeout; a deadline already passed sends
// nothing.
TEST_F(HttpJsonTest, ADeadlineBeforeTheTimeoutEndsTheExchangeAndSaysSo) {
  TestServer server([](const RecordedRequest&) { return Reply{200, "", {}, true}; });
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}, {"timeout_ms", "20000"}});
  const auto start = std::chrono::steady_clock::now();
  Observation blocking = side->Observe(start + std::chrono::milliseconds(300));
  EXPECT_EQ(blocking.state, Observation::State::kUnreadable);
  EXPECT_TRUE(Contains(blocking.reason, ": no answer by the deadline (")) << blocking.reason;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));

  Answers answers;
  side->ObserveAsync(std::chrono::steady_clock::now() + std::chrono::milliseconds(300), answers.Slot(0));
  ASSERT_TRUE(answers.WaitFor(1));
  Observation async = answers.Take(0);
  EXPECT_EQ(async.state, Observation::State::kUnreadable);
  EXPECT_TRUE(Contains(async.reason, ": no answer by the deadline (")) << async.reason;

  const std::size_t sent = server.Requests().size();
  Observation late = side->Observe(std::chrono::steady_clock::now() - std::chrono::milliseconds(1));
  EXPECT_TRUE(Contains(late.reason, "no answer by the deadline (0 ms)")) << late.reason;
  EXPECT_EQ(server.Requests().size(), sent);
}

// A deadline later than the timeout changes nothing: the timeout's own message.
TEST_F(HttpJsonTest, ADeadlineAfterTheTimeoutLeavesTheTimeout) {
  TestServer server([](const RecordedRequest&) { return Reply{200, "", {}, true}; });
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}, {"timeout_ms", "300"}});
  Observation o = side->Observe(std::chrono::steady_clock::now() + std::chrono::seconds(30));
  EXPECT_TRUE(Contains(o.reason, ": timed out after 300 ms")) << o.reason;
}

}  // namespace
}  // namespace seam::testing
