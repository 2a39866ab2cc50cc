#pragma once
// Agents: seam on several hosts sharing one store (README "Many hosts"). Each host's seamd and
// seamctl act as an agent with a name; a side may name the agent that alone observes and writes
// it (`agent = "gw1"`: a file or a program on that host), and the sides that name none (a server
// reached over the network) are observed and written by the seam's owner: the agent holding the
// seam's ownership lease (core/ownership.h), or, on a store one host keeps, the only agent.

#include <string>
#include <string_view>

#include "core/config.h"
#include "core/status.h"

namespace seam {

// What a name must be, for messages: "must be 1-63 characters of A-Z a-z 0-9 . _ -, starting
// with a letter or digit".
inline constexpr std::string_view kAgentNameRule =
    "must be 1-63 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit";
bool IsAgentName(std::string_view name);

// The name this process acts as: `flag` (--agent) when set, else $SEAM_AGENT, else [agent] name,
// else the host name (its first label, as `hostname -s` prints it). InvalidArgument, naming
// where the name came from, when it breaks kAgentNameRule.
Result<std::string> ResolveAgentName(const std::string& flag, const AgentConfig& config);

// The seam as `agent` acts on it: the sides named for `agent`, and, when `owner`, the sides
// named for no agent, in their order. An authority side left out is no authority here (its own
// agent adopts what it holds; this one takes it from the log).
SeamConfig SidesForAgent(const SeamConfig& seam, const std::string& agent, bool owner);

// Some side of `seam` names no agent: the seam needs an owner.
bool NeedsOwner(const SeamConfig& seam);

}  // namespace seam
