#pragma once
// PassLanes: where seamd's passes run, so that its event loop never waits on a side.
//
// Three lanes of worker threads, each a FIFO queue:
//  - the file lane, for seams whose sides are all files seam watches (json-file, pem-file) and
//    that run no on_repair hook: passes of a millisecond, which never queue behind a slow side;
//  - the network lane (one thread), for the passes of seams whose network sides were observed
//    beforehand on the network thread (tools/seamd/seam_runner.h): a millisecond each too, but
//    a hundred servers timing out at once are a hundred passes that file seams must not queue
//    behind;
//  - the slow lane (`[daemon] workers` threads), for seams with a side that can block up to its
//    timeout (exec, sqlite-row's busy wait), a hook (up to 30 s), and the passes that write to a
//    network side.
// A job runs on one worker with that worker's own store connection and key ring (neither is
// thread-safe), opened for the job's PassEnv and kept while the next job has the same one.
// Each seam posts one job at a time (tools/seamd/seam_runner.h), so a seam's passes stay in
// order and a slow seam holds at most one worker.
//
// Thread-safety: Post and Stats may be called from any thread.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/config.h"
#include "core/confirmation_book.h"
#include "core/secret.h"
#include "core/status.h"
#include "core/store.h"
#include "reconcilers/seam_context.h"
#include "tools/seamd/ownership_keeper.h"

namespace seam::seamd {

// What a worker needs to run a configuration's passes; shared (immutable) by its jobs, so a job
// in flight keeps it while a reload replaces it.
struct PassEnv {
  StoreConfig store;
  Secret master_key;
  std::string actor;
  std::filesystem::path hook_dir;  // on_repair commands run here (the config file's directory)
  std::string hook_path;           // with this PATH (the config's `hook_path`)
  std::shared_ptr<ConfirmationBook> confirmations;  // thread-safe (LockedConfirmationBook); may be null
  std::string agent;                                // the agent this seamd acts as (core/agent.h)
  std::shared_ptr<OwnershipKeeper> owners;          // which seams it owns now; thread-safe
};

// A job's view of its worker: the SeamContext to pass, and the store it was opened on.
struct WorkerScope {
  SeamContext& seam;
  Store& store;
};

enum class Lane { kFile, kNetwork, kSlow };
inline constexpr std::size_t kLanes = 3;
const char* LaneName(Lane lane);  // "file" | "network" | "slow"

struct LaneStats {
  std::size_t workers = 0;
  std::size_t busy = 0;    // running a job now
  std::size_t queued = 0;  // waiting for a worker
};

class PassLanes {
 public:
  // A job is given the scope, or why the worker could not open the store (the job reports it).
  using Job = std::function<void(Result<WorkerScope>)>;

  PassLanes(std::size_t file_workers, std::size_t slow_workers);
  // Stop, then join: jobs in flight finish, jobs still queued are dropped.
  ~PassLanes();
  PassLanes(const PassLanes&) = delete;
  PassLanes& operator=(const PassLanes&) = delete;

  void Post(Lane lane, std::shared_ptr<const PassEnv> env, Job job);
  // No job starts after this; those queued are dropped. Does not wait.
  void Stop();
  LaneStats Stats(Lane lane) const;

 private:
  struct Queue;
  void Work(Queue& queue);

  std::unique_ptr<Queue> queues_[kLanes];  // by Lane
};

}  // namespace seam::seamd
