#pragma once
// Operations, what they report, and `adopt` (any kind). Each kind's own operations are in its
// folder (token/token_operations.h, pairing/…, certificate/…). Each appends its
// event first (with the stream version it read, so a concurrent writer gets a Conflict instead
// of a lost update), then writes every side in the seam's `order`, reading each back to confirm.
//
// A side that cannot be written leaves the log ahead of that side: the operation reports it and
// `seamctl repair` brings the side up (the log is the source of truth).

#include <cstdint>
#include <string>
#include <vector>

#include "core/config.h"
#include "reconcilers/seam_context.h"

namespace seam {

struct SideWriteReport {
  std::string side;
  bool ok = false;
  std::string message;  // why not, when !ok
  bool waiting = false;  // not attempted: an earlier side in `order` failed
  // A side seam only observes (a TLS endpoint): its on_repair hook, not a write, brought it up.
  bool observe_only = false;
  // Its hook was held back: it ran for this version before and did not help (HookIneffective).
  bool held_back = false;
};

struct OperationReport {
  std::string seam;
  std::string operation;  // "issue" | "rotate" | "revoke" | "adopt" | "pair" | "unpair"
  std::int64_t version = 0;   // stream version of the appended event (0 if nothing appended)
  std::int64_t revision = 0;  // the intent's revision after it (RecordState::revision): for people
  std::string fingerprint;    // of the new value ("" for revoke / no-op)
  std::vector<SideWriteReport> sides;
  std::string note;           // e.g. "side cli already holds the intended value; nothing to adopt"
  // Said on stderr whatever the outcome (e.g. a certificate recorded inside its renew_before).
  std::vector<std::string> warnings;

  bool AllSidesWritten() const;
};

// Errors before anything is appended (bad state, store trouble) are a non-ok Result; nothing
// was written anywhere then.
// Takes the value side `from` holds into the log (TokenAdopted / PairingAdopted), then writes
// the other sides. Refused when the side is missing, unreadable or stores a non-reversible
// transform, or the kind cannot be adopted.
Result<OperationReport> AdoptValue(SeamContext& ctx, const SeamConfig& seam, const std::string& from);

}  // namespace seam
