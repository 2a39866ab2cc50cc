#include "tools/seamctl/event_description.h"

#include "core/clock.h"
#include "core/hash_chain.h"
#include "tools/common/event_details.h"

namespace seam::seamctl {

nlohmann::ordered_json DescribeEvent(const Event& e, const KeyRing& keys) {
  return {{"seq", e.seq},         {"time", FormatTimeMicros(e.time_us)},
          {"stream", e.stream},   {"version", e.version},
          {"epoch", e.epoch},     {"type", e.type},       {"actor", e.actor},
          {"details", EventDetails(e, keys)}, {"hash", HashToHex(e.hash)}};
}

std::string DescribeEventLine(const nlohmann::ordered_json& d) {
  std::string line = "#" + d["seq"].dump() + " " + d["time"].get<std::string>() + " " +
                     d["stream"].get<std::string>() + " v" + d["version"].dump() + " " +
                     (d["epoch"] != 0 ? "(epoch " + d["epoch"].dump() + ") " : std::string()) + d["type"].get<std::string>() + " by " + d["actor"].get<std::string>();
  for (const auto& [key, value] : d["details"].items()) {
    line += " " + key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return line;
}

}  // namespace seam::seamctl
