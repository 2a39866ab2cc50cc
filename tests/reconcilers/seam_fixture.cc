#include "tests/reconcilers/seam_fixture.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "plugins/json_file/json_file_side.h"

namespace seam::testing {

SeamFixture::SeamFixture(const std::string& seam_extra) {
  registry.Register("json-file", MakeJsonFileSide);
  WriteFile(dir / "cli/paired.json", "{\"device_id\": \"device-42\"}\n");
  WriteFile(dir / "gateway/state.json", "{\"devices\": {}}\n");
  const std::string toml = R"([[seam]]
name = "device-token"
kind = "token"
entity = "device-42"
)" + seam_extra + R"(
[seam.sides.gateway]
plugin = "json-file"
path = "gateway/state.json"
pointer = "/devices/device-42/token"
transform = "sha256-hex"
[seam.sides.cli]
plugin = "json-file"
path = "cli/paired.json"
pointer = "/token"
)";
  WriteFile(dir / "seam.toml", toml);
  auto loaded = LoadConfig(dir / "seam.toml", ConfigSchema{{KindFields{}}, &registry});
  if (!loaded.ok()) {
    ADD_FAILURE() << loaded.status().ToString();
    std::abort();
  }
  config = std::move(loaded).value();
  keys = std::make_unique<KeyRing>(RandomBytes(32).value());
  Reopen();
}

void SeamFixture::Reopen() {
  store.reset();
  SqliteOpenOptions options;
  options.create_if_missing = true;
  auto opened = SqliteEventStore::Open((dir / "events.db").string(), options);
  if (!opened.ok()) {
    ADD_FAILURE() << opened.status().ToString();
    std::abort();
  }
  store = std::move(opened).value();
}

std::string SeamFixture::CliToken() const {
  auto j = nlohmann::json::parse(ReadFile(cli_path()), nullptr, false);
  if (j.is_discarded() || !j.contains("token")) return "";
  return j["token"].get<std::string>();
}

void SeamFixture::SetCliToken(const std::string& value) const {
  auto j = nlohmann::ordered_json::parse(ReadFile(cli_path()));
  j["token"] = value;
  WriteFile(cli_path(), j.dump(2) + "\n");
}

void SeamFixture::SetGatewayDigest(const std::string& digest) const {
  auto j = nlohmann::ordered_json::parse(ReadFile(gateway_path()));
  j["devices"]["device-42"]["token"] = digest;
  WriteFile(gateway_path(), j.dump(2) + "\n");
}

}  // namespace seam::testing
