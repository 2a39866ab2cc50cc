#pragma once
// The candidate sources of probing sides (core/side.h Probes): each asks the log, at the moment
// the side is observed, which records the seam intends and had, so a probe run just after
// `seamctl value set` (or inside it, to confirm the write) is asked about the new value.
//
// The sources of one StateContext share a ProbeLog: its own read-only connection to the store
// (opened at the first probe, so commands without probing sides open nothing more), and each
// stream's fold, kept and caught up at every ask. Its own connection because sides are observed
// on other threads (seamd's workers, the side observer) than the one using the context's store.

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/config.h"
#include "core/crypto.h"
#include "core/side.h"
#include "core/store.h"
#include "reconcilers/kind.h"
#include "reconcilers/record_state.h"

namespace seam {

class ProbeLog {
 public:
  ProbeLog(StoreConfig store, std::shared_ptr<const KeyRing> keys) : config_(std::move(store)), keys_(std::move(keys)) {}

  // CandidatesFor (reconcilers/probe_candidates.h) over `stream` as the log holds it now.
  // Thread-safe (one ask at a time).
  Result<ProbeCandidates> Candidates(const std::string& stream, const KindSpec& kind, Transform transform,
                                     std::size_t older);

 private:
  std::mutex mu_;
  StoreConfig config_;
  std::shared_ptr<const KeyRing> keys_;
  std::unique_ptr<Store> store_;
  std::map<std::string, RecordState> states_;
};

// Installs a source on every probing side of `config`'s seams, all asking `log`.
void InstallProbeSources(Config& config, const std::shared_ptr<ProbeLog>& log);

}  // namespace seam
