// ReconcileLog from many threads at once, with no logger registered yet: one logger, no throw.
// (seamd's worker lanes did this at start-up; two registrations made spdlog throw and seamd
// abort.)
#include "reconcilers/logger.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace seam {
namespace {

TEST(ReconcileLogTest, ThreadsAskingAtOnceGetOneLogger) {
  constexpr int kThreads = 16;
  for (int round = 0; round < 50; ++round) {
    spdlog::drop("reconcile");
    std::atomic<int> waiting{kThreads};
    std::atomic<int> thrown{0};
    std::vector<std::shared_ptr<spdlog::logger>> got(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        // All start together, so the first calls find no logger.
        waiting.fetch_sub(1);
        while (waiting.load() > 0) std::this_thread::yield();
        try {
          got[static_cast<std::size_t>(i)] = ReconcileLog();
        } catch (...) {
          thrown.fetch_add(1);
        }
      });
    }
    for (std::thread& t : threads) t.join();
    ASSERT_EQ(thrown.load(), 0) << "round " << round;
    for (const auto& logger : got) ASSERT_EQ(logger, got.front()) << "round " << round;
    ASSERT_EQ(spdlog::get("reconcile"), got.front());
  }
}

}  // namespace
}  // namespace seam
