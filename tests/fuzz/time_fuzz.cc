// Times people and programs write: `--since`/`--until` (RFC 3339 or an age), `--deadline` (a
// duration) and the start time an http-json restart marker may tell (RFC 3339 or ten digits of
// Unix seconds). Checked: a duration accepted lies within 1 ms .. 24 h; a start time accepted is
// after the epoch; an RFC 3339 text both parsers accept is the same instant to both.
#include <chrono>
#include <string>

#include "plugins/http_json/restart_marker.h"
#include "tests/fuzz/fuzz_support.h"
#include "tools/common/time_arg.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using seam::fuzz::FuzzFail;
  const std::string text(seam::fuzz::AsText(data, size));
  constexpr std::int64_t kNow = 1796000000LL * 1000000;  // 2026-11-29, fixed: a replay is repeatable

  const seam::Result<std::chrono::milliseconds> wait = seam::ParseDurationArg("--deadline", text);
  if (wait.ok() && (*wait < std::chrono::milliseconds(1) || *wait > std::chrono::hours(24))) {
    FuzzFail("--deadline accepted a duration outside 1 ms .. 24 h");
  }
  const std::optional<std::int64_t> started = seam::ParseStartTimeUs(text);
  if (started && *started <= 0) FuzzFail("a restart marker's start time at or before the epoch");
  const seam::Result<std::int64_t> since = seam::ParseTimeArg("--since", text, kNow);
  if (!since.ok() && since.status().message().find("--since") == std::string::npos) {
    FuzzFail("a --since error that does not name the flag");
  }
  if (since.ok() && started && text.find('T') != std::string::npos && *since != *started) {
    FuzzFail("an RFC 3339 time read as two different instants");
  }
  return 0;
}
