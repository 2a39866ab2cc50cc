#pragma once
// The reconcilers' named spdlog logger ("reconcile"). Sinks and levels are set in tools/; if
// tools/ registered nothing, this clones the default logger. Never log secret material: log
// fingerprints (KeyRing::Fingerprint) instead.

#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>

namespace seam {

// Thread-safe: seamd's worker lanes log from several threads at once, and two that both found
// no logger used to both register one: spdlog threw "logger with name 'reconcile' already
// exists" and seamd aborted at start-up (seen in CI with 200 seams).
inline std::shared_ptr<spdlog::logger> ReconcileLog() {
  if (auto logger = spdlog::get("reconcile")) return logger;
  static std::mutex creating;
  std::lock_guard<std::mutex> lock(creating);
  if (auto logger = spdlog::get("reconcile")) return logger;  // made while this thread waited
  auto logger = spdlog::default_logger()->clone("reconcile");
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace seam
