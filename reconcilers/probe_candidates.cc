#include "reconcilers/probe_candidates.h"

#include <algorithm>

namespace seam {
namespace {

bool SameRecord(const Record& a, const Record& b) {
  if (a.size() != b.size()) return false;
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
    if (ia->first != ib->first || ia->second.Reveal() != ib->second.Reveal()) return false;
  }
  return true;
}

}  // namespace

Result<ProbeCandidates> CandidatesFor(const RecordState& state, Transform transform, const KeyRing& keys,
                                      std::size_t older) {
  const KindSpec& kind = *state.kind;
  ProbeCandidates out;
  out.active = state.active();
  std::vector<Record> seen;  // untransformed: a transform may map two records alike
  std::size_t older_taken = 0;
  for (auto it = state.history.rbegin(); it != state.history.rend(); ++it) {
    const auto index = static_cast<std::size_t>(state.history.rend() - it) - 1;
    const bool current = out.active && it == state.history.rbegin();
    if (!current && older_taken == older) break;
    Record record;
    if (current) {
      record = state.value;
    } else {
      SEAM_ASSIGN_OR_RETURN(record, OpenRecord(state, *it, keys));
    }
    if (std::any_of(seen.begin(), seen.end(), [&](const Record& r) { return SameRecord(r, record); })) continue;
    if (!current) ++older_taken;
    out.newest_first.push_back(ProbeCandidate{it->version, ForSide(kind, transform, record), RevisionOf(state, index)});
    seen.push_back(std::move(record));
  }
  return out;
}

}  // namespace seam
