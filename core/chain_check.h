#pragma once
// ChainCheck: the rules a whole log must keep, applied event by event in seq order, for every
// store's Verify (docs/log-format.md "Verifying"): seq 1, 2, 3 … without a gap; each prev_hash
// the hash of the event before (the genesis hash first); each hash the one ComputeEventHash gives
// (the caller passes it, so a store may hash on another thread); each stream's versions 1, 2, 3 ….

#include <cstdint>
#include <string>
#include <unordered_map>

#include "core/event.h"
#include "core/event_store.h"

namespace seam {

class ChainCheck {
 public:
  ChainCheck() = default;  // VerifyReport's head_hash starts as the genesis hash (zeros)

  // Checks the next event. `well_formed` is false when the row's stored hashes were not 32 bytes
  // (e.prev_hash / e.hash then mean nothing). False once the chain is broken: report() says
  // where and why, and later calls are ignored.
  bool Next(const Event& e, const Hash& computed, bool well_formed = true);

  const VerifyReport& report() const { return report_; }

 private:
  bool Bad(const Event& e, std::string reason);
  VerifyReport report_;
  std::unordered_map<std::string, std::int64_t> versions_;  // stream -> last version seen
};

}  // namespace seam
