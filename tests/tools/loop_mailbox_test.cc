// seamd's loop mailbox (tools/seamd/loop_mailbox.h): what workers post runs on the loop's
// thread, each worker's posts in their order, none lost, and a burst is handed over in batches.
#include "tools/seamd/loop_mailbox.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>

#include <atomic>
#include <thread>
#include <vector>

namespace seam::seamd {
namespace {

TEST(LoopMailboxTest, PostsFromWorkersRunOnTheLoopInTheirOrderNoneLost) {
  boost::asio::io_context io;
  auto mailbox = std::make_shared<LoopMailbox>(io);
  constexpr int kPerWorker = 20000;
  std::vector<std::vector<int>> seen(2);
  std::atomic<int> ran{0};
  std::thread::id loop_thread;
  bool all_on_loop = true;
  auto guard = boost::asio::make_work_guard(io);
  std::thread loop([&] {
    loop_thread = std::this_thread::get_id();
    io.run();
  });
  std::vector<std::thread> workers;
  for (int w = 0; w < 2; ++w) {
    workers.emplace_back([&, w] {
      for (int i = 0; i < kPerWorker; ++i) {
        mailbox->Post([&, w, i] {
          if (std::this_thread::get_id() != loop_thread) all_on_loop = false;
          seen[static_cast<std::size_t>(w)].push_back(i);
          if (++ran == 2 * kPerWorker) guard.reset();
        });
      }
    });
  }
  for (std::thread& t : workers) t.join();
  loop.join();  // returns once the last one ran and the guard is gone

  EXPECT_TRUE(all_on_loop);
  for (const std::vector<int>& s : seen) {
    ASSERT_EQ(s.size(), static_cast<std::size_t>(kPerWorker));
    for (int i = 0; i < kPerWorker; ++i) ASSERT_EQ(s[static_cast<std::size_t>(i)], i);
  }
}

TEST(LoopMailboxTest, ABurstPostedBeforeTheLoopRunsIsOneHandOver) {
  boost::asio::io_context io;
  auto mailbox = std::make_shared<LoopMailbox>(io);
  int ran = 0;
  for (int i = 0; i < 1000; ++i) mailbox->Post([&] { ++ran; });
  // One drain handler for the whole burst: running one handler runs all 1,000.
  EXPECT_EQ(io.run_one(), 1U);
  EXPECT_EQ(ran, 1000);
  EXPECT_EQ(io.poll(), 0U);
  mailbox->Post([&] { ++ran; });  // the next post schedules a new hand-over
  io.restart();                   // the loop stopped when it ran out of work
  EXPECT_EQ(io.poll(), 1U);
  EXPECT_EQ(ran, 1001);
}

}  // namespace
}  // namespace seam::seamd
