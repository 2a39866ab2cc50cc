#include "tools/seamctl/event_description.h"

#include "core/clock.h"
#include "core/hash_chain.h"
#include "reconcilers/token/token_events.h"

namespace seam::seamctl {
namespace {

// Adds the fingerprint of a sealed value to `d`, or an error if it does not open.
void AddFingerprint(nlohmann::ordered_json& d, const std::string& sealed, const Event& e, const KeyRing& keys) {
  Result<Secret> value = keys.Open(sealed, SealContext(e.stream, e.version));
  if (value.ok()) {
    d["fingerprint"] = keys.Fingerprint(*value);
  } else {
    d["error"] = value.status().message();
  }
}

nlohmann::ordered_json Details(const Event& e, const KeyRing& keys) {
  nlohmann::ordered_json d = nlohmann::ordered_json::object();
  if (e.type == token::kTokenIssued || e.type == token::kTokenRotated) {
    auto p = token::DecodeValueSet(e.payload);
    if (!p.ok()) return {{"error", p.status().message()}};
    AddFingerprint(d, p->sealed_value, e, keys);
  } else if (e.type == token::kTokenAdopted) {
    auto p = token::DecodeAdopted(e.payload);
    if (!p.ok()) return {{"error", p.status().message()}};
    d["side"] = p->side;
    AddFingerprint(d, p->sealed_value, e, keys);
    d["reason"] = p->reason;
  } else if (e.type == token::kTokenRevoked) {
    auto p = token::DecodeRevoked(e.payload);
    if (!p.ok()) return {{"error", p.status().message()}};
    d["reason"] = p->reason;
  } else if (e.type == token::kSideRepaired) {
    auto p = token::DecodeSideRepaired(e.payload);
    if (!p.ok()) return {{"error", p.status().message()}};
    d["side"] = p->side;
    d["version_written"] = p->version_written;
    d["action"] = p->action;
    d["verdict_before"] = p->verdict_before;
    d["held_version"] = p->held_version;
    d["fingerprint_before"] = p->fingerprint_before;
  } else {
    d["payload_bytes"] = e.payload.size();
  }
  return d;
}

}  // namespace

nlohmann::ordered_json DescribeEvent(const Event& e, const KeyRing& keys) {
  return {{"seq", e.seq},         {"time", FormatTimeMicros(e.time_us)},
          {"stream", e.stream},   {"version", e.version},
          {"type", e.type},       {"actor", e.actor},
          {"details", Details(e, keys)}, {"hash", HashToHex(e.hash)}};
}

std::string DescribeEventLine(const nlohmann::ordered_json& d) {
  std::string line = "#" + d["seq"].dump() + " " + d["time"].get<std::string>() + " " +
                     d["stream"].get<std::string>() + " v" + d["version"].dump() + " " +
                     d["type"].get<std::string>() + " by " + d["actor"].get<std::string>();
  for (const auto& [key, value] : d["details"].items()) {
    line += " " + key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return line;
}

}  // namespace seam::seamctl
