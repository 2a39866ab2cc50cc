#pragma once
// The seam of the many-hosts tests and benchmarks (README "Many hosts"): a token whose `cli`
// side is agent gw1's, `gateway` side gw2's, and `shared` side the owner's (it names no agent).
// Side paths are relative to the config file's directory. No repair budget: the tests and the
// benchmarks edit the shared side by hand many times.

namespace seam::testing {

inline constexpr char kAgentsSeamToml[] = R"(
[[seam]]
name = "device-token"
kind = "token"
entity = "device-42"
order = ["gateway", "shared", "cli"]
repair_budget = "off"

[seam.sides.cli]
plugin = "json-file"
path = "cli/paired.json"
pointer = "/token"
agent = "gw1"

[seam.sides.gateway]
plugin = "json-file"
path = "gateway/state.json"
pointer = "/token"
agent = "gw2"

[seam.sides.shared]
plugin = "json-file"
path = "shared/token.json"
pointer = "/token"
)";

}  // namespace seam::testing
