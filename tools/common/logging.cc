#include "tools/common/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace seam {

Status SetUpLogging(const std::string& program, const std::string& level) {
  std::string name = level;
  std::string source = "--log-level";
  if (name.empty()) {
    const char* env = std::getenv("SEAM_LOG_LEVEL");
    name = env != nullptr && *env != '\0' ? env : "warn";
    source = "$SEAM_LOG_LEVEL";
  }
  const spdlog::level::level_enum parsed = spdlog::level::from_str(name);
  // from_str maps unknown names to "off"; only accept "off" when it was asked for.
  if (parsed == spdlog::level::off && name != "off") {
    return Status::InvalidArgument(source + ": unknown log level `" + name +
                                   "` (use trace, debug, info, warn, error, critical or off)");
  }
  auto logger = spdlog::stderr_logger_mt(program);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %n %l: %v", spdlog::pattern_time_type::utc);
  spdlog::set_default_logger(logger);
  spdlog::set_level(parsed);
  return Status::Ok();
}

}  // namespace seam
