// seamd's endpoint watch (tools/seamd/endpoint_watch.h) against a real listening socket on
// 127.0.0.1: a server that goes away and comes back on the same port is reported once it
// accepts again; the first connection is not; nothing is reported after Stop.
#include "tools/seamd/endpoint_watch.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace seam::seamd {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using std::chrono::milliseconds;

// Runs the loop until `done` or 5 s; true when done.
bool RunUntil(net::io_context& io, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(milliseconds(10));
  }
  return done();
}

class EndpointWatchTest : public ::testing::Test {
 protected:
  void Listen() {
    acceptor_.emplace(io_);
    const tcp::endpoint at(net::ip::address_v4::loopback(), port_);
    acceptor_->open(at.protocol());
    acceptor_->set_option(tcp::acceptor::reuse_address(true));
    acceptor_->bind(at);
    acceptor_->listen();
    port_ = acceptor_->local_endpoint().port();
  }
  // Takes the watch's pending connection off the backlog.
  void Accept() {
    server_side_.emplace(io_);
    acceptor_->accept(*server_side_);
  }
  std::shared_ptr<EndpointWatch> Watch() {
    auto watch = std::make_shared<EndpointWatch>(io_, "127.0.0.1", std::to_string(port_), [this] { ++back_; });
    watch->Start();
    return watch;
  }

  net::io_context io_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<tcp::socket> server_side_;
  unsigned short port_ = 0;
  int back_ = 0;
};

TEST_F(EndpointWatchTest, AServerRestartedOnItsPortIsReportedOnceItAcceptsAgain) {
  Listen();
  auto watch = Watch();
  io_.run_for(milliseconds(100));
  Accept();
  EXPECT_EQ(back_, 0) << "the first connection is not news";

  // The server stops: its connection closes and its port refuses for a while.
  server_side_->close();
  acceptor_->close();
  io_.restart();
  io_.run_for(milliseconds(400));
  EXPECT_EQ(back_, 0) << "nothing to look at while the server is down";

  Listen();  // back on the same port
  EXPECT_TRUE(RunUntil(io_, [&] { return back_ == 1; }));
  io_.restart();
  io_.run_for(milliseconds(300));
  EXPECT_EQ(back_, 1) << "reported once, not per attempt";
  watch->Stop();
}

TEST_F(EndpointWatchTest, AServerClosingAnIdleConnectionIsLookedAtWhenTheWatchReconnects) {
  Listen();
  auto watch = Watch();
  io_.run_for(milliseconds(100));
  Accept();
  server_side_->close();  // the server's idle timeout
  EXPECT_TRUE(RunUntil(io_, [&] { return back_ == 1; }));
  watch->Stop();
}

TEST_F(EndpointWatchTest, AServerDownAtStartIsReportedWhenItComesUp) {
  Listen();
  acceptor_->close();  // the port is known, nothing listens
  auto watch = Watch();
  io_.run_for(milliseconds(250));
  EXPECT_EQ(back_, 0);
  Listen();
  EXPECT_TRUE(RunUntil(io_, [&] { return back_ == 1; }));
  watch->Stop();
}

TEST_F(EndpointWatchTest, NothingIsReportedAfterStop) {
  Listen();
  auto watch = Watch();
  io_.run_for(milliseconds(100));
  Accept();
  watch->Stop();
  server_side_->close();
  io_.restart();
  io_.run_for(milliseconds(400));
  EXPECT_EQ(back_, 0);
}

TEST(ReconnectDelayTest, QuickWhileAServerMayBeRestartingThenBackingOffToFiveSeconds) {
  EXPECT_EQ(ReconnectDelay(0), milliseconds(25));
  EXPECT_EQ(ReconnectDelay(39), milliseconds(25));  // 40 attempts: the first second
  EXPECT_EQ(ReconnectDelay(40), milliseconds(100));
  EXPECT_EQ(ReconnectDelay(59), milliseconds(100));  // 20 more: two seconds
  EXPECT_EQ(ReconnectDelay(60), milliseconds(200));
  EXPECT_EQ(ReconnectDelay(63), milliseconds(1600));
  EXPECT_EQ(ReconnectDelay(65), milliseconds(5000));
  EXPECT_EQ(ReconnectDelay(1'000'000), milliseconds(5000));
}

}  // namespace
}  // namespace seam::seamd
