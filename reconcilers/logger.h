#pragma once
// The reconcilers' named spdlog logger ("reconcile"). Sinks and levels are set in tools/; if
// tools/ registered nothing, this clones the default logger. Never log secret material: log
// fingerprints (KeyRing::Fingerprint) instead.

#include <spdlog/spdlog.h>

#include <memory>

namespace seam {

inline std::shared_ptr<spdlog::logger> ReconcileLog() {
  auto logger = spdlog::get("reconcile");
  if (!logger) {
    logger = spdlog::default_logger()->clone("reconcile");
    spdlog::register_logger(logger);
  }
  return logger;
}

}  // namespace seam
