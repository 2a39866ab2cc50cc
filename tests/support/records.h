#pragma once
// Small helpers for tests that hand records to sides and read observations back.

#include <string>

#include "core/side.h"

namespace seam::testing {

// A record holding only `field` (default: the token kind's one field).
inline Record OneField(std::string value, const std::string& field = "token") {
  Record r;
  r.emplace(field, Secret(std::move(value)));
  return r;
}

// The plaintext of `field` in an observation, or "<absent>" when the side does not hold it.
// Tests only: production code never turns a Secret into a printable string.
inline std::string FieldText(const Observation& o, const std::string& field = "token") {
  const Secret* s = o.Field(field);
  return s == nullptr ? std::string("<absent>") : std::string(s->Reveal());
}

}  // namespace seam::testing
