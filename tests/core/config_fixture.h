#pragma once
// Shared by the config suites: a fixture that writes seam.toml into a TempDir and loads it
// against a registry holding a test-only plugin, plus text builders for small configs.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/config.h"
#include "tests/support/temp_dir.h"

namespace seam::config_test {

using ::seam::testing::TempDir;
using ::seam::testing::WriteFile;
using ::testing::HasSubstr;

// Test double for the registry contract: a plugin with two string keys, `path` and `pointer`,
// that takes them as a real plugin would and never touches the file system.
class FakeSide : public Side {
 public:
  FakeSide(std::filesystem::path path, std::string pointer)
      : path_(std::move(path)), pointer_(std::move(pointer)) {}
  using Side::Observe;
  Observation Observe(Deadline) override { return Observation::Missing({}); }
  std::vector<std::string> Fields() const override { return {"token"}; }
  Status Write(const Record&, const ChangeMarker&) override { return Status::Ok(); }
  Status Remove(const ChangeMarker&) override { return Status::Ok(); }
  Status CheckWritable() override { return Status::Ok(); }
  std::string Describe() const override { return "fake " + path_.string() + "#" + pointer_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::string pointer_;
};

inline Result<std::unique_ptr<Side>> MakeFakeSide(SideOptions& options) {
  SEAM_ASSIGN_OR_RETURN(std::optional<std::filesystem::path> path, options.TakePath("path", true));
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> pointer, options.TakeString("pointer", false));
  SEAM_RETURN_IF_ERROR(options.RejectUnknown());
  return std::unique_ptr<Side>(std::make_unique<FakeSide>(*path, pointer.value_or("")));
}

class ConfigTest : public ::testing::Test {
 protected:
  ConfigTest() {
    registry_.Register("fake-file", MakeFakeSide);
    registry_.Register("other", MakeFakeSide);
    schema_.kinds = {KindFields{},
                     KindFields{"pairing", {"token", "device_id", "gateway_url", "paired_at"}, "token"},
                     KindFields{"certificate", {"chain", "key", "leaf_sha256", "not_after"}, "chain", false, false, true}};
    schema_.sides = &registry_;
  }

  // Writes `text` as seam.toml in the temp dir and loads it.
  Result<Config> Load(const std::string& text) {
    WriteFile(file(), text);
    return LoadConfig(file(), schema_);
  }
  std::filesystem::path file() const { return dir_ / "seam.toml"; }

  // Loads `text` expecting InvalidArgument; returns the message.
  std::string LoadError(const std::string& text) {
    Result<Config> r = Load(text);
    EXPECT_FALSE(r.ok()) << "config unexpectedly loaded:\n" << text;
    if (r.ok()) return "";
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos) << "messages are one line";
    return r.status().message();
  }
  std::string At(int line) const { return file().string() + ":" + std::to_string(line) + ": "; }

  TempDir dir_;
  SideRegistry registry_;
  ConfigSchema schema_;
};

// A valid seam with sides `cli` (lines 5-7 when `extra` is empty) and `gateway` (8-10);
// `extra` lines go right after `entity`, from line 5 on.
inline std::string Seam(const std::string& name, const std::string& entity,
                        const std::string& extra = "") {
  return "[[seam]]\nname = \"" + name + "\"\nkind = \"token\"\nentity = \"" + entity + "\"\n" +
         extra + "[seam.sides.cli]\nplugin = \"fake-file\"\npath = \"c.json\"\n" +
         "[seam.sides.gateway]\nplugin = \"fake-file\"\npath = \"g.json\"\n";
}

// Replaces the first `from` in `text` by `to`.
inline  // Replaces the first `from` in `text` by `to`.
    std::string
    Replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

}  // namespace seam::config_test
