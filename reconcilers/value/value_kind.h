#pragma once
// The `value` kind: any one value two components must agree on (a database password in a .env
// and a YAML file, an API URL in two TOML files, a schema version). One field, `value`.
// Events: ValueSet (a new value, given or generated), ValueAdopted (taken from a side),
// ValueUnset (none intended).
//
// A seam's `secret` key decides how the value is kept and shown: secret (the default) sealed in
// the log, people see keyed fingerprints; not secret (`secret = "false"`: plain config values)
// stored as it is and shown as it is (`"https://api.example"`) wherever a fingerprint would be.
// Each payload records which it was, so a seam whose `secret` changes still replays.

#include "core/config.h"
#include "reconcilers/kind.h"

namespace seam::value {

// The spec of a secret value seam (what FindKindSpec("value") answers).
const KindSpec& ValueKind();
// The spec of a seam with secret = false: the same events, the value shown instead of a
// fingerprint, adopted without sealing.
const KindSpec& PlainValueKind();

// What people see of one of the kind's events (KindSpec::describe; value_describe.cc).
std::optional<EventFields> Describe(const Event& event, const KeyRing& keys);

}  // namespace seam::value
