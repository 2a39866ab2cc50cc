#include "core/agent.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace seam {

bool IsAgentName(std::string_view name) {
  auto ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  };
  return !name.empty() && name.size() <= 63 && ok(name.front()) && name.front() != '.' && name.front() != '_' &&
         name.front() != '-' && std::all_of(name.begin(), name.end(), ok);
}

Result<std::string> ResolveAgentName(const std::string& flag, const AgentConfig& config) {
  auto checked = [](std::string name, const std::string& where) -> Result<std::string> {
    if (IsAgentName(name)) return name;
    return Status::InvalidArgument(where + " `" + name + "` " + std::string(kAgentNameRule));
  };
  if (!flag.empty()) return checked(flag, "--agent");
  if (const char* env = std::getenv("SEAM_AGENT"); env != nullptr && *env != '\0') return checked(env, "$SEAM_AGENT");
  if (!config.name.empty()) return config.name;  // checked by the config loader
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') {
    return Status::InvalidArgument("this host has no name to act as an agent by; set [agent] name or --agent");
  }
  std::string name(host);
  name = name.substr(0, name.find('.'));
  return checked(name, "the host name (set [agent] name or --agent instead)");
}

SeamConfig SidesForAgent(const SeamConfig& seam, const std::string& agent, bool owner) {
  SeamConfig mine = seam;
  mine.sides.clear();
  for (const SideConfig& side : seam.sides) {
    if (side.agent == agent || (side.agent.empty() && owner)) mine.sides.push_back(side);
  }
  if (mine.authority_side) {
    const bool kept = std::any_of(mine.sides.begin(), mine.sides.end(),
                                  [&](const SideConfig& s) { return s.name == *mine.authority_side; });
    if (!kept) mine.authority_side.reset();
  }
  return mine;
}

bool NeedsOwner(const SeamConfig& seam) {
  return std::any_of(seam.sides.begin(), seam.sides.end(), [](const SideConfig& s) { return s.agent.empty(); });
}

}  // namespace seam
