// seamd: the always-on reconciler. Runs in the foreground (systemd style), logs to stderr.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <exception>
#include <iostream>

#include "tools/common/logging.h"
#include "tools/seamd/daemon.h"

namespace {

int Main(int argc, char** argv) {
  CLI::App app{"seamd: watches every side of every seam and repairs drift as it happens"};
  std::string config;
  std::string log_level;
  app.add_option("-c,--config", config, "config file (default: $SEAM_CONFIG, else ./seam.toml)");
  app.add_option("--log-level", log_level,
                 "trace|debug|info|warn|error|off (default: $SEAM_LOG_LEVEL, else info)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  // A daemon's log is its only output: info unless asked otherwise.
  if (const char* env = std::getenv("SEAM_LOG_LEVEL"); log_level.empty() && (env == nullptr || *env == '\0')) {
    log_level = "info";
  }
  if (seam::Status s = seam::SetUpLogging("seamd", log_level); !s.ok()) {
    std::cerr << "seamd: error: " << s.message() << "\n";
    return 2;
  }

  // One thread: passes run one at a time, which is what keeps two repairs of a seam apart.
  boost::asio::io_context io(1);
  seam::seamd::Daemon daemon(io, config);
  if (seam::Status s = daemon.Start(); !s.ok()) {
    std::cerr << "seamd: error: " << s.message() << "\n";
    return 2;
  }
  io.run();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "seamd: error: " << e.what() << "\n";
    return 2;
  }
}
