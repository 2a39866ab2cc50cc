#pragma once
// What a probing side (core/side.h: exec-probe, http-probe) is asked about, from the record
// reconciler's fold of the seam's stream. Pure logic over a RecordState; the tools layer wraps it
// in the CandidateSource it installs on each probing side (tools/common/probe_sources.h).

#include <cstddef>

#include "core/crypto.h"
#include "core/side.h"
#include "core/transform.h"
#include "reconcilers/record_state.h"

namespace seam {

// The intended record first when the seam is active, then at most `older` earlier records,
// newest first, each through `transform` as the side stores it. A record set more than once
// (re-adopted) is asked about once, as its newest version: that is the version Judge names.
// An earlier record that does not open is Corruption naming its version.
// REQUIRES: OpenCurrent(state) succeeded.
Result<ProbeCandidates> CandidatesFor(const RecordState& state, Transform transform, const KeyRing& keys,
                                      std::size_t older);

}  // namespace seam
