#include "tools/common/side_observer.h"

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>

namespace seam {

unsigned DefaultObserverThreads() { return 16; }

std::vector<std::vector<Observation>> ObserveAll(const std::vector<const SeamConfig*>& seams,
                                                 unsigned threads, Deadline deadline) {
  struct Task {
    const SideConfig* side;
    Observation* out;
  };
  std::vector<std::vector<Observation>> results(seams.size());
  std::vector<Task> tasks;
  for (std::size_t i = 0; i < seams.size(); ++i) {
    results[i].resize(seams[i]->sides.size());
    for (std::size_t j = 0; j < seams[i]->sides.size(); ++j) {
      tasks.push_back(Task{&seams[i]->sides[j], &results[i][j]});
    }
  }
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t t = next++; t < tasks.size(); t = next++) {
      *tasks[t].out = tasks[t].side->side->Observe(deadline);  // never throws (Side contract)
    }
  };
  const std::size_t n = std::min<std::size_t>(std::max(threads, 1u), tasks.size());
  std::vector<std::thread> pool;
  for (std::size_t i = 1; i < n; ++i) {
    try {
      pool.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // no more threads to be had (ulimit -u): fewer workers do the rest
    }
  }
  work();
  for (std::thread& t : pool) t.join();
  return results;
}

}  // namespace seam
