#pragma once
// A real seam for reconciler tests: a temp directory with seam.toml, two json-file sides (cli
// plain, gateway sha256-hex), a real SQLite event log and key, and a fake clock.

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/config.h"
#include "core/crypto.h"
#include "reconcilers/seam_context.h"
#include "store/sqlite_event_store.h"
#include "tests/support/temp_dir.h"

namespace seam::testing {

class SeamFixture {
 public:
  // `seam_extra` is inserted into the [[seam]] table (e.g. `authority = "cli"`).
  explicit SeamFixture(const std::string& seam_extra = "");

  SeamContext Context() { return SeamContext{*store, *keys, clock, "test-actor"}; }
  const SeamConfig& seam() const { return config.seams.at(0); }
  std::filesystem::path cli_path() const { return dir / "cli/paired.json"; }
  std::filesystem::path gateway_path() const { return dir / "gateway/state.json"; }

  // The token the CLI file holds ("" if none).
  std::string CliToken() const;
  // Sets /token in the CLI file / the gateway's digest, by plain file rewrite.
  void SetCliToken(const std::string& value) const;
  void SetGatewayDigest(const std::string& digest) const;

  // Reopens the store in a fresh object (the replay-after-restart check).
  void Reopen();

  TempDir dir;
  SideRegistry registry;
  Config config;
  std::unique_ptr<SqliteEventStore> store;
  std::unique_ptr<KeyRing> keys;
  FakeClock clock{1'800'000'000'000'000};
};

}  // namespace seam::testing
