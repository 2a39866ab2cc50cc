#pragma once
// Shared by the pem-file suites: sides built from options the way seam.toml would build them
// (kind `certificate`), a test CA, and the two files in a real temporary directory.

#include <gtest/gtest.h>

#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>

#include "plugins/pem_file/pem_file_side.h"
#include "tests/plugins/pem_file/cert_fixture.h"
#include "tests/support/records.h"
#include "tests/support/temp_dir.h"

namespace seam::testing {

class PemFileTest : public ::testing::Test {
 protected:
  using Keys = std::initializer_list<std::pair<const char*, std::string>>;

  void SetUp() override { std::filesystem::create_directories(dir_.path() / "tls"); }

  SideOptions Options(Keys keys, KindFields kind = CertificateKind()) {
    SideOptions o("seam.toml", dir_.path(), "gateway-tls", "files", 20);
    o.SetKind(std::move(kind));
    int line = 21;
    for (const auto& [key, value] : keys) o.Set(key, OptionValue{value, line++});
    return o;
  }
  std::unique_ptr<Side> Make(Keys keys = {{"cert_path", "tls/cert.pem"}, {"key_path", "tls/key.pem"}}) {
    SideOptions o = Options(keys);
    auto side = MakePemFileSide(o);
    EXPECT_TRUE(side.ok()) << side.status().ToString();
    return side.ok() ? std::move(side).value() : nullptr;
  }
  std::string FactoryError(Keys keys, KindFields kind = CertificateKind()) {
    SideOptions o = Options(keys, std::move(kind));
    auto side = MakePemFileSide(o);
    EXPECT_FALSE(side.ok());
    return side.ok() ? std::string() : side.status().message();
  }
  void Put(const PemPair& pair) {
    WriteFile(cert_, pair.chain);
    WriteFile(key_, pair.key);
  }
  // Observes, expecting unreadable; returns the one-line reason (checked for key bytes).
  std::string Unreadable(Side& side, const PemPair& pair) {
    Observation o = side.Observe();
    EXPECT_EQ(o.state, Observation::State::kUnreadable);
    EXPECT_FALSE(Contains(o.reason, "\n")) << o.reason;
    if (pair.key.size() > 80) {
      EXPECT_FALSE(Contains(o.reason, pair.key.substr(40, 32))) << o.reason;
    }
    return o.reason;
  }
  static Record CertRecord(const PemPair& pair) {
    Record r;
    r.emplace("chain", Secret(pair.chain));
    r.emplace("key", Secret(pair.key));
    return r;
  }

  TempDir dir_;
  TempDir ca_dir_;
  TestCa ca_{ca_dir_.path(), "ca"};
  std::filesystem::path cert_ = dir_.path() / "tls" / "cert.pem";
  std::filesystem::path key_ = dir_.path() / "tls" / "key.pem";
};

}  // namespace seam::testing
