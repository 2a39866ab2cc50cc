#include "plugins/common/probe_loop.h"

#include <string>

namespace seam {

Observation ProbeNewestFirst(const CandidateSource& source, std::size_t history, const std::string& field,
                             const std::string& describe, Deadline deadline,
                             const std::function<ProbeAnswer(const Secret& value, std::int64_t version, Deadline)>& ask) {
  if (!source) return Observation::Unreadable(describe + ": nothing to ask about: the log is not open here");
  Result<ProbeCandidates> candidates = source(history);
  if (!candidates.ok()) return Observation::Unreadable(describe + ": " + candidates.status().message());
  std::size_t asked = 0;
  std::string newest;  // "rev 3" (or "version 7" when the source knows no revisions)
  for (const ProbeCandidate& candidate : candidates->newest_first) {
    auto it = candidate.record.find(field);
    if (it == candidate.record.end()) continue;
    if (newest.empty()) {
      newest = candidate.revision > 0 ? "rev " + std::to_string(candidate.revision)
                                      : "version " + std::to_string(candidate.version);
    }
    ++asked;
    ProbeAnswer answer = ask(it->second, candidate.version, deadline);
    switch (answer.kind) {
      case ProbeAnswer::Kind::kAccepted: {
        // The version names the accepted value without a digest of it (a digest of a short
        // password could be searched for).
        ChangeMarker marker{"accepted:version-" + std::to_string(candidate.version)};
        return Observation::Value(Record{{field, it->second}}, std::move(marker));
      }
      case ProbeAnswer::Kind::kRejected:
        continue;
      case ProbeAnswer::Kind::kUnknown:
        return Observation::Unreadable(describe + ": " + answer.why);
    }
  }
  if (asked == 0) return Observation::Missing(ChangeMarker{"nothing-to-ask"});
  std::string tried = "rejects " + newest + (candidates->active ? " (intended)" : "");
  if (asked > 1) tried += " and " + std::to_string(asked - 1) + (asked == 2 ? " earlier one" : " earlier ones");
  return Observation::NoneAccepted(std::move(tried), ChangeMarker{"none-accepted"});
}

}  // namespace seam
