#pragma once
// Views of stored events for `seamctl log`. Secrets appear only as keyed fingerprints; a payload
// that does not decode or unseal is shown with details {"error": ...} rather than hidden (the
// details are tools/common/event_details.h, shared with the audit timeline).

#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/event.h"

namespace seam::seamctl {

// {"seq","time","stream","version","type","actor","details":{...},"hash"}
nlohmann::ordered_json DescribeEvent(const Event& event, const KeyRing& keys);

// One line from DescribeEvent's output:
// "#12 2026-11-26T18:43:07.123456Z token/device-42 v3 TokenRotated by seamctl:me@h fingerprint=fp:…"
std::string DescribeEventLine(const nlohmann::ordered_json& described);

}  // namespace seam::seamctl
