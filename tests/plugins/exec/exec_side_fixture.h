#pragma once
// Shared fixture of the exec side suites: a TempDir as the config directory, holding a tiny
// store made of scripts: read.sh prints store.json (or {"missing": true}); write.sh stores its
// stdin as store.json, so whatever `write` gets, `read` prints back.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/side_options.h"
#include "plugins/exec/exec_side.h"
#include "tests/plugins/exec/exec_fixture.h"
#include "tests/support/records.h"

namespace seam::testing {

inline constexpr char kSecret[] = "s3cret-token-value";

class ExecSideFixture : public ::testing::Test {
 protected:
  ExecSideFixture() {
    Script("read.sh", "if [ -f store.json ]; then cat store.json; else echo '{\"missing\": true}'; fi\n");
    Script("write.sh", "cat > store.json.tmp && mv store.json.tmp store.json\n");
  }

  std::filesystem::path Script(const std::string& name, const std::string& body) {
    return WriteScript(dir_ / name, body);
  }
  SideOptions Options(std::vector<std::string> read = {"./read.sh"},
                      std::vector<std::string> write = {"./write.sh"}) {
    SideOptions o("seam.toml", dir_.path(), "device-token", "vault", 10);
    o.Set("read", OptionValue{std::move(read), 11});
    o.Set("write", OptionValue{std::move(write), 12});
    return o;
  }
  std::unique_ptr<Side> Make(SideOptions o) {
    auto side = MakeExecSide(o);
    EXPECT_TRUE(side.ok()) << side.status().ToString();
    return side.ok() ? std::move(side).value() : nullptr;
  }
  std::unique_ptr<Side> Make() { return Make(Options()); }
  // A side whose `read` is a script with `body` (timeout 300 ms).
  std::unique_ptr<Side> Reading(const std::string& body) {
    Script("custom-read.sh", body);
    SideOptions o = Options({"./custom-read.sh"});
    o.Set("timeout_ms", OptionValue{std::string("300"), 13});
    return Make(std::move(o));
  }
  // The reason `read` (a script with `body`) is unreadable; it never shows the secret.
  std::string ReasonFor(const std::string& body) {
    Observation o = Reading(body)->Observe();
    EXPECT_EQ(o.state, Observation::State::kUnreadable);
    EXPECT_FALSE(Contains(o.reason, kSecret)) << o.reason;
    return o.reason;
  }
  void Store(const std::string& json) { WriteFile(dir_ / "store.json", json); }

  TempDir dir_;
};

}  // namespace seam::testing
