#include "tools/seamd/pass_lanes.h"

#include "core/clock.h"
#include "core/crypto.h"
#include "core/store.h"
#include "store/open.h"
#include "tools/common/process_hook_runner.h"

namespace seam::seamd {

struct PassLanes::Queue {
  struct Item {
    std::shared_ptr<const PassEnv> env;
    Job job;
  };
  mutable std::mutex mu;
  std::condition_variable wake;
  std::deque<Item> items;
  bool stopping = false;
  std::size_t busy = 0;
  std::vector<std::thread> threads;
};

namespace {

// A worker's own connection to the store and its key ring, for one PassEnv at a time.
class WorkerState {
 public:
  Result<WorkerScope> For(const std::shared_ptr<const PassEnv>& env) {
    if (env != env_) {
      Reset();
      Result<std::unique_ptr<Store>> opened = store::Open(env->store);
      if (!opened.ok()) return opened.status();
      store_ = std::move(*opened);
      keys_ = std::make_unique<KeyRing>(env->master_key);
      hooks_ = std::make_unique<ProcessHookRunner>(env->hook_dir, env->hook_path);
      seam_ = std::make_unique<SeamContext>(
          SeamContext{store_->Log(), *keys_, clock_, env->actor, hooks_.get(), env->confirmations.get()});
      env_ = env;
    }
    return WorkerScope{*seam_, *store_};
  }

 private:
  void Reset() {
    seam_.reset();
    hooks_.reset();
    keys_.reset();
    store_.reset();
    env_.reset();
  }
  std::shared_ptr<const PassEnv> env_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<KeyRing> keys_;
  std::unique_ptr<ProcessHookRunner> hooks_;
  SystemClock clock_;
  std::unique_ptr<SeamContext> seam_;
};

}  // namespace

const char* LaneName(Lane lane) {
  switch (lane) {
    case Lane::kFile: return "file";
    case Lane::kNetwork: return "network";
    case Lane::kSlow: return "slow";
  }
  return "?";
}

PassLanes::PassLanes(std::size_t file_workers, std::size_t slow_workers) {
  // The network lane's passes judge what the network thread read: a millisecond each, never a
  // wait (a pass that would write is deferred to the slow lane), so one worker keeps up.
  const std::size_t workers[kLanes] = {file_workers, 1, slow_workers};
  for (std::size_t lane = 0; lane < kLanes; ++lane) {
    queues_[lane] = std::make_unique<Queue>();
    for (std::size_t i = 0; i < std::max<std::size_t>(workers[lane], 1); ++i) {
      queues_[lane]->threads.emplace_back([this, q = queues_[lane].get()] { Work(*q); });
    }
  }
}

PassLanes::~PassLanes() {
  Stop();
  for (auto& q : queues_) {
    for (std::thread& t : q->threads) t.join();
  }
}

void PassLanes::Stop() {
  for (auto& q : queues_) {
    {
      std::lock_guard<std::mutex> lock(q->mu);
      q->stopping = true;
      q->items.clear();
    }
    q->wake.notify_all();
  }
}

void PassLanes::Post(Lane lane, std::shared_ptr<const PassEnv> env, Job job) {
  Queue& q = *queues_[static_cast<std::size_t>(lane)];
  {
    std::lock_guard<std::mutex> lock(q.mu);
    if (q.stopping) return;
    q.items.push_back(Queue::Item{std::move(env), std::move(job)});
  }
  q.wake.notify_one();
}

LaneStats PassLanes::Stats(Lane lane) const {
  const Queue& q = *queues_[static_cast<std::size_t>(lane)];
  std::lock_guard<std::mutex> lock(q.mu);
  return LaneStats{q.threads.size(), q.busy, q.items.size()};
}

void PassLanes::Work(Queue& q) {
  WorkerState state;
  std::unique_lock<std::mutex> lock(q.mu);
  while (true) {
    q.wake.wait(lock, [&q] { return q.stopping || !q.items.empty(); });
    if (q.stopping) return;
    Queue::Item item = std::move(q.items.front());
    q.items.pop_front();
    ++q.busy;
    lock.unlock();
    item.job(state.For(item.env));
    item = Queue::Item{};  // the env and whatever the job held go before the next wait
    lock.lock();
    --q.busy;
  }
}

}  // namespace seam::seamd
