#pragma once
// Shared helpers of the http-json suites: building sides from options the way seam.toml would,
// and checks that reasons hold no secret.

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <utility>

#include "plugins/http_json/http_json_side.h"
#include "tests/plugins/http_json/test_server.h"
#include "tests/support/records.h"
#include "tests/support/temp_dir.h"

namespace seam::testing {

inline constexpr char kSecret[] = "s3cret-token-value";
inline constexpr char kHeaderSecret[] = "Bearer hdr-secret-42";

inline bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

class HttpJsonTest : public ::testing::Test {
 protected:
  using Keys = std::initializer_list<std::pair<const char*, std::string>>;
  static std::string Url(std::uint16_t port, const std::string& path = "/res", const char* scheme = "http") {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port) + path;
  }
  SideOptions Options(Keys keys) {
    SideOptions o("seam.toml", dir_.path(), "device-token", "gateway", 10);
    int line = 11;
    for (const auto& [key, value] : keys) o.Set(key, OptionValue{value, line++});
    return o;
  }
  std::unique_ptr<Side> Make(Keys keys) {
    SideOptions o = Options(keys);
    auto side = MakeHttpJsonSide(o);
    EXPECT_TRUE(side.ok()) << side.status().ToString();
    return side.ok() ? std::move(side).value() : nullptr;
  }
  // The factory's error message for `keys` (which must be refused).
  std::string FactoryError(Keys keys) {
    SideOptions o = Options(keys);
    auto side = MakeHttpJsonSide(o);
    EXPECT_FALSE(side.ok());
    return side.ok() ? std::string() : side.status().message();
  }
  // A pairing-kind side: `keys` as for Make, plus the `fields` table (given on line 30; its
  // items carry their own lines).
  SideOptions PairingOptions(Keys keys, StringTable fields) {
    SideOptions o = Options(keys);
    o.SetKind(KindFields{"pairing", {"device_id", "token", "gateway_url", "paired_at"}, "token"});
    if (!fields.empty()) o.Set("fields", OptionValue{std::move(fields), 30});
    return o;
  }
  std::unique_ptr<Side> MakePairing(Keys keys, StringTable fields) {
    SideOptions o = PairingOptions(keys, std::move(fields));
    auto side = MakeHttpJsonSide(o);
    EXPECT_TRUE(side.ok()) << side.status().ToString();
    return side.ok() ? std::move(side).value() : nullptr;
  }
  std::string PairingError(Keys keys, StringTable fields) {
    SideOptions o = PairingOptions(keys, std::move(fields));
    auto side = MakeHttpJsonSide(o);
    EXPECT_FALSE(side.ok());
    return side.ok() ? std::string() : side.status().message();
  }
  // Observes, expecting unreadable; returns the reason (checked for secrets).
  static std::string Unreadable(Side& side) {
    Observation o = side.Observe();
    EXPECT_EQ(o.state, Observation::State::kUnreadable);
    EXPECT_FALSE(Contains(o.reason, kSecret)) << o.reason;
    EXPECT_FALSE(Contains(o.reason, kHeaderSecret)) << o.reason;
    return o.reason;
  }

  TempDir dir_;
};

}  // namespace seam::testing
