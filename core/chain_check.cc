#include "core/chain_check.h"

#include <utility>

namespace seam {

bool ChainCheck::Bad(const Event& e, std::string reason) {
  report_.intact = false;
  report_.first_bad_seq = e.seq;
  report_.reason = std::move(reason);
  return false;
}

bool ChainCheck::Next(const Event& e, const Hash& computed, bool well_formed) {
  if (!report_.intact) return false;
  const std::int64_t want_seq = report_.head_seq + 1;
  if (e.seq != want_seq) {
    return Bad(e, "seq gap: expected seq " + std::to_string(want_seq) + ", found " + std::to_string(e.seq));
  }
  if (!well_formed) return Bad(e, "prev_hash or hash is not 32 bytes");
  if (e.prev_hash != report_.head_hash) {
    return Bad(e, "prev_hash does not match the hash of seq " + std::to_string(report_.head_seq));
  }
  if (computed != e.hash) return Bad(e, "hash mismatch: the row was altered");
  auto [it, inserted] = versions_.try_emplace(e.stream, 0);
  if (e.version != it->second + 1) {
    return Bad(e, "stream " + e.stream + " has version " + std::to_string(e.version) + ", expected " +
                      std::to_string(it->second + 1));
  }
  it->second = e.version;
  ++report_.events_checked;
  report_.head_seq = e.seq;
  report_.head_hash = e.hash;
  return true;
}

}  // namespace seam
