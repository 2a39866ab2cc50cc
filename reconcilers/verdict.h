#pragma once
// Verdicts: how one side stands against the intended state (DESIGN.md "Words").

#include <cstdint>
#include <string>

namespace seam {

// kExpiring: the side holds the intended value, but it expires within the seam's
// `renew_before` (certificates). Not drift (writing the intended value would not help): the
// cure is `seamctl cert renew`/`issue`.
enum class Verdict { kInSync, kLagging, kForeign, kMissing, kUnreadable, kExpiring };

const char* VerdictName(Verdict v);  // "in_sync", "lagging", ...

// True for the verdicts a repair can fix by writing the intended value.
inline bool IsDrift(Verdict v) {
  return v == Verdict::kLagging || v == Verdict::kForeign || v == Verdict::kMissing;
}

struct Judgement {
  Verdict verdict = Verdict::kUnreadable;
  std::int64_t holds_version = 0;  // stream version whose value the side holds; 0 if none/unknown
  std::int64_t holds_revision = 0;  // that value's revision (RecordState::revision); 0 likewise
  std::string fingerprint;         // keyed fingerprint of what the side holds; "" if nothing
  std::string detail;              // one line for people, no secrets
};

}  // namespace seam
