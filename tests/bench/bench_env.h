#pragma once
// Shared setup for the seam benchmarks: a scratch directory for databases, the key ring, the
// event payload every append benchmark stores, and the replay event count.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto.h"
#include "core/event_store.h"
#include "core/status.h"

namespace seam::bench {

inline constexpr char kStream[] = "token/bench-device";
inline constexpr char kActor[] = "seamctl:bench@localhost";

// A directory under $TMPDIR (or /tmp), created on first use. RemoveScratchDir() deletes it
// with everything in it; main() calls it at the end.
const std::string& ScratchDir();
void RemoveScratchDir();

// A fresh, not yet existing database path in the scratch directory.
std::string NewDbPath(std::string_view tag);

// Deletes a database and its -wal / -shm files.
void RemoveDb(const std::string& path);

// Events in the replay/verify log: env SEAM_BENCH_EVENTS, default 1,000,000.
std::int64_t ReplayEventCount();

// One key ring for the whole process (random key).
const KeyRing& Keys();

// A real TokenRotated payload (a sealed 43-character token, cereal-encoded), about 100 bytes.
// Append benchmarks store these bytes; the store does not look inside them.
const std::string& SamplePayload();

// Appends `n` token events to kStream of `store` (one TokenIssued, then TokenRotated), each
// carrying a fresh token sealed with Keys() for its place, 10,000 per append: the log the
// replay benchmarks read.
Status GenerateTokenLog(EventStore& store, std::int64_t n);

// Runs argv (argv[0] a path) to the end with stdout to /dev/null, in `cwd` when not empty;
// true on exit 0. For set-up steps (seamctl init, token issue), never timed.
bool RunToEnd(const std::vector<std::string>& argv, const std::string& cwd = "");

// Wall-clock microseconds since the epoch.
std::int64_t NowUs();

}  // namespace seam::bench
