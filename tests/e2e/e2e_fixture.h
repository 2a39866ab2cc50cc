#pragma once
// The fixture every e2e suite shares: a TempDir holding seam.toml, cli/paired.json and
// gateway/state.json (the demo's shape), and helpers that run the real seamctl binary on it.

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/e2e/process.h"
#include "tests/support/temp_dir.h"

namespace seam::e2e {

namespace fs = std::filesystem;

inline constexpr char kSeam[] = "device-token";
inline constexpr char kBlockingSeam[] = "slow-vault";  // InitWithBlockingExecSeam

struct ConfigOptions {
  std::string gateway_transform = "sha256-hex";  // "plain" for adoption from the gateway
  std::string authority = "log";
  std::string repair = "auto";
  std::string repair_budget = "";  // "" leaves the key out (the default budget)
};

// seam.toml as in tools/demo.sh: one token seam, order gateway then cli.
std::string StandardConfig(const ConfigOptions& options = {});

// One regular file as seen by a snapshot.
struct FileState {
  std::string bytes;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileState&) const = default;
};
// Every regular file under a root, by path relative to it. SQLite's "-shm" index is left out:
// any connection, even a read-only one, may create and rewrite it.
using Snapshot = std::map<std::string, FileState>;
Snapshot TakeSnapshot(const fs::path& root);
// "" when equal, else one line per file that appeared, vanished or changed (bytes or mtime).
std::string SnapshotDiff(const Snapshot& before, const Snapshot& after);

// True when `haystack` contains `needle` (bytes, not text).
bool Contains(const std::string& haystack, const std::string& needle);

class SeamctlTest : public ::testing::Test {
 protected:
  fs::path Root() const { return dir_.path(); }
  fs::path ConfigPath() const { return dir_ / "seam.toml"; }
  fs::path CliFile() const { return dir_ / "cli/paired.json"; }
  fs::path GatewayFile() const { return dir_ / "gateway/state.json"; }
  fs::path DbFile() const { return dir_ / ".seam/events.db"; }
  fs::path KeyFile() const { return dir_ / ".seam/key"; }

  void WriteConfig(const std::string& toml) const;
  // The two side files before any token: no `token` member anywhere.
  void WriteFreshSides() const;
  // Config + fresh sides + `seamctl init`; use under ASSERT_NO_FATAL_FAILURE.
  void InitStandard(const ConfigOptions& options = {});
  // InitStandard, then `token issue`.
  void InitAndIssue(const ConfigOptions& options = {});
  // A token seam `device-token` whose sides are an exec program keeping the token in
  // vault.txt (scripts written here) and cli/paired.json, polled every `interval`; not init'ed.
  void WriteExecVaultSeam(const std::string& interval) const;
  // The standard config plus a seam `slow-vault` (kBlockingSeam) of an exec side polled every
  // second and a json-file mirror. While ./block exists its read marks ./reading-fifo, waits on
  // the FIFO ./fifo (made here; timeout 60 s), then removes the mark. `extra` is appended (a
  // [daemon] table). Both seams init'ed and issued; use under ASSERT_NO_FATAL_FAILURE.
  void InitWithBlockingExecSeam(const std::string& extra = "");

  // Runs seamctl -c <seam.toml> ARGS in the temp dir with SEAM_ACTOR=e2e (SEAM_CONFIG and
  // SEAM_LOG_LEVEL removed unless given in `env`). Every result is kept in transcript_.
  ProcessResult Seamctl(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& env = {});
  // The same without the -c flag (for tests of the config lookup itself).
  ProcessResult SeamctlRaw(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env = {});

  // The string at /token of cli/paired.json, or at /devices/device-42/token of the gateway.
  std::optional<std::string> CliToken() const;
  std::optional<std::string> GatewayToken() const;
  // Rewrites the file with the member set to `value` (other members kept).
  void SetCliToken(const std::string& value) const;
  void SetGatewayToken(const std::string& value) const;

  // `log --json`, one parsed object per line; fails the test if a line does not parse.
  std::vector<nlohmann::json> LogEvents();
  // `check --json` parsed; exit code in *exit_code when given.
  nlohmann::json CheckJson(int* exit_code = nullptr);
  // After a repair that found `side` unreadable: no file changed but the event log, and the log
  // gained exactly one event, the SideUnreadable of `side` (the only record bad input causes).
  // `before` and `events_before` were taken before the repair.
  void ExpectOnlyAnUnreadableSpell(const Snapshot& before, std::size_t events_before, const std::string& side);

  seam::testing::TempDir dir_;
  std::vector<ProcessResult> transcript_;
};

// Asserts the convention for bad input: exit 2, stderr is exactly one line that starts with
// "seamctl: error:" and contains `needle`.
::testing::AssertionResult IsCleanError(const ProcessResult& r, const std::string& needle);

// The side object named `side` in the first seam of a check/repair --json report (a test
// failure, and an empty object, when there is none).
nlohmann::json SideOf(const nlohmann::json& report, const std::string& side);

// The `type` of every event of a `log --json`, oldest first.
std::vector<std::string> EventTypes(const std::vector<nlohmann::json>& events);

// A 43-character base64url string (what 32 random bytes encode to).
bool IsBase64Url43(const std::string& s);

std::string Sha256HexOf(const std::string& s);

}  // namespace seam::e2e
