#pragma once
// The observation of a probing side (core/side.h Probes: exec-probe, http-probe): ask about
// the log's records newest first, and answer with the first one accepted.
//
// Each question is one attempt at the service's door (a login, an authenticated request), so
// the loop asks as few as it can: the intended record first, then at most `history` earlier
// ones, and stops at the first accepted, or at the first answer that is neither yes nor no (a
// timeout, a 500: the service may be down, and more tries would count as failed logins).

#include <cstddef>
#include <functional>
#include <string>

#include "core/secret.h"
#include "core/side.h"

namespace seam {

struct ProbeAnswer {
  enum class Kind { kAccepted, kRejected, kUnknown };
  Kind kind = Kind::kUnknown;
  std::string why;  // kUnknown: one line, what happened, never a value
  static ProbeAnswer Accepted() { return {Kind::kAccepted, ""}; }
  static ProbeAnswer Rejected() { return {Kind::kRejected, ""}; }
  static ProbeAnswer Unknown(std::string why) { return {Kind::kUnknown, std::move(why)}; }
};

// Asks `ask` about `field` of each candidate `source` gives (at most `history` older than the
// intended one) until one is accepted:
//   accepted      kValue holding {field: value} as if read; marker "accepted:version-N"
//   all rejected  NoneAccepted: "rejects rev 3 (intended) and 2 earlier ones" (the candidates'
//                 revisions; their versions when the source gives none)
//   no candidates kMissing (the log has no value: nothing to ask about)
//   unknown       kUnreadable: `describe` + ": " + why
//   no source, or it fails: kUnreadable naming why.
// A candidate without `field` is skipped. `ask` must keep to `deadline`.
Observation ProbeNewestFirst(const CandidateSource& source, std::size_t history, const std::string& field,
                             const std::string& describe, Deadline deadline,
                             const std::function<ProbeAnswer(const Secret& value, std::int64_t version, Deadline)>& ask);

}  // namespace seam
