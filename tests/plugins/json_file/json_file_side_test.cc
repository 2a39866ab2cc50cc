// json-file: the factory's config checks and what Observe reports. Writes are in
// json_file_side_write_test.cc.
#include "plugins/json_file/json_file_side.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/plugins/common/unprivileged.h"
#include "tests/support/records.h"
#include "tests/support/temp_dir.h"

namespace seam {
namespace {

namespace fs = std::filesystem;
using testing::FieldText;
using testing::TempDir;
using testing::WriteFile;

constexpr char kSecret[] = "s3cret-token-value";

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

class JsonFileSideTest : public ::testing::Test {
 protected:
  SideOptions Options(const std::string& path, const std::string& pointer) {
    SideOptions o("seam.toml", dir_.path(), "device-token", "cli", 10);
    o.Set("path", OptionValue{path, 11});
    o.Set("pointer", OptionValue{pointer, 12});
    return o;
  }
  std::unique_ptr<Side> Make(const std::string& path, const std::string& pointer) {
    SideOptions o = Options(path, pointer);
    auto side = MakeJsonFileSide(o);
    EXPECT_TRUE(side.ok()) << side.status().ToString();
    return side.ok() ? std::move(side).value() : nullptr;
  }
  // Observes dir/paired.json holding `content` at `pointer`, expecting an unreadable reason.
  std::string ReasonFor(const std::string& content, const std::string& pointer) {
    WriteFile(dir_ / "paired.json", content);
    Observation o = Make("paired.json", pointer)->Observe();
    EXPECT_EQ(o.state, Observation::State::kUnreadable);
    EXPECT_FALSE(Contains(o.reason, kSecret)) << o.reason;
    return o.reason;
  }
  std::string File() const { return (dir_ / "paired.json").string(); }

  TempDir dir_;
};

// --- factory ---------------------------------------------------------------------------------

TEST_F(JsonFileSideTest, FactoryRequiresPath) {
  SideOptions o("seam.toml", dir_.path(), "device-token", "cli", 10);
  o.Set("pointer", OptionValue{std::string("/token"), 12});
  auto side = MakeJsonFileSide(o);
  ASSERT_FALSE(side.ok());
  EXPECT_EQ(side.status().message(),
            "seam.toml:10: seam `device-token` side `cli`: missing required key `path`");
}

TEST_F(JsonFileSideTest, FactoryRequiresPointer) {
  SideOptions o("seam.toml", dir_.path(), "device-token", "cli", 10);
  o.Set("path", OptionValue{std::string("paired.json"), 11});
  auto side = MakeJsonFileSide(o);
  ASSERT_FALSE(side.ok());
  EXPECT_EQ(side.status().message(),
            "seam.toml:10: seam `device-token` side `cli`: missing required key `pointer`");
}

TEST_F(JsonFileSideTest, MisspeltRequiredKeyIsNamedBesideTheMissingOne) {
  SideOptions o("seam.toml", dir_.path(), "device-token", "cli", 10);
  o.Set("path", OptionValue{std::string("paired.json"), 11});
  o.Set("pointr", OptionValue{std::string("/token"), 12});
  auto side = MakeJsonFileSide(o);
  ASSERT_FALSE(side.ok());
  EXPECT_EQ(side.status().message(),
            "seam.toml:10: seam `device-token` side `cli`: missing required key `pointer` "
            "(is `pointr` on line 12 a misspelling?)");
}

TEST_F(JsonFileSideTest, FactoryRejectsPointerWithoutLeadingSlash) {
  SideOptions o = Options("paired.json", "token");
  auto side = MakeJsonFileSide(o);
  ASSERT_FALSE(side.ok());
  EXPECT_EQ(side.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(side.status().message(),
            "seam.toml:12: seam `device-token` side `cli`: key `pointer` must be an RFC 6901 JSON "
            "pointer starting with \"/\", got \"token\"");
}

TEST_F(JsonFileSideTest, FactoryRejectsTildeNotFollowedByZeroOrOne) {
  for (const char* bad : {"/a~2b", "/a~", "/~/b"}) {
    SideOptions o = Options("paired.json", bad);
    auto side = MakeJsonFileSide(o);
    ASSERT_FALSE(side.ok()) << bad;
    EXPECT_TRUE(Contains(side.status().message(), "key `pointer` has a `~` not followed by `0` or `1`"))
        << side.status().message();
  }
}

TEST_F(JsonFileSideTest, FactoryRejectsWholeDocumentPointer) {
  SideOptions o = Options("paired.json", "");
  auto side = MakeJsonFileSide(o);
  ASSERT_FALSE(side.ok());
  // Refused by SideOptions::TakeFieldMap before the pointer is parsed.
  EXPECT_EQ(side.status().message(), "seam.toml:12: seam `device-token` side `cli`: key `pointer` is empty");
}

TEST_F(JsonFileSideTest, FactoryRejectsUnknownKeyNamingItsLine) {
  SideOptions o = Options("paired.json", "/token");
  o.Set("ponter", OptionValue{std::string("/token"), 14});
  auto side = MakeJsonFileSide(o);
  ASSERT_FALSE(side.ok());
  EXPECT_EQ(side.status().message(), "seam.toml:14: seam `device-token` side `cli`: unknown key `ponter`");
}

TEST_F(JsonFileSideTest, FactoryRejectsPointerOfWrongTypeNamingItsLine) {
  SideOptions o = Options("paired.json", "/token");
  o.Set("pointer", OptionValue{std::int64_t{42}, 13});
  auto side = MakeJsonFileSide(o);
  ASSERT_FALSE(side.ok());
  EXPECT_EQ(side.status().message(),
            "seam.toml:13: seam `device-token` side `cli`: key `pointer` must be a string");
}

TEST_F(JsonFileSideTest, FactoryDoesNoIoAndResolvesPathAgainstConfigDir) {
  auto side = Make("no/such/dir/paired.json", "/devices/device-42/token");
  ASSERT_NE(side, nullptr);
  EXPECT_EQ(side->Describe(),
            "json-file " + (dir_ / "no/such/dir/paired.json").string() + "#/devices/device-42/token");
  EXPECT_FALSE(fs::exists(dir_ / "no"));
}

// --- observe ---------------------------------------------------------------------------------

TEST_F(JsonFileSideTest, ObservesStringAtPointerWithFileMtime) {
  WriteFile(dir_ / "paired.json", R"({"devices": {"device-42": {"token": "s3cret-token-value"}}})");
  Observation o = Make("paired.json", "/devices/device-42/token")->Observe();

  ASSERT_EQ(o.state, Observation::State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o), kSecret);
  EXPECT_FALSE(o.marker.opaque.empty());
  struct stat st {};
  ASSERT_EQ(::stat(File().c_str(), &st), 0);
  EXPECT_EQ(o.changed_at_us, std::int64_t{st.st_mtim.tv_sec} * 1'000'000 + st.st_mtim.tv_nsec / 1000);
}

TEST_F(JsonFileSideTest, PointerEscapesAreUnescaped) {
  WriteFile(dir_ / "paired.json", R"({"a/b": {"c~d": "v"}})");
  Observation o = Make("paired.json", "/a~1b/c~0d")->Observe();
  ASSERT_EQ(o.state, Observation::State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o), "v");
}

TEST_F(JsonFileSideTest, MissingFileIsMissingWithAbsentMarker) {
  Observation o = Make("paired.json", "/token")->Observe();
  EXPECT_EQ(o.state, Observation::State::kMissing);
  EXPECT_EQ(o.marker.opaque, "absent");
  EXPECT_EQ(o.changed_at_us, 0);
  EXPECT_FALSE(o.answered_absent);  // no file says nothing of intent (may_revoke ignores it)
}

TEST_F(JsonFileSideTest, MissingMemberIsMissingWithTheFilesMarker) {
  WriteFile(dir_ / "paired.json", R"({"other": "x"})");
  Observation o = Make("paired.json", "/token")->Observe();
  EXPECT_EQ(o.state, Observation::State::kMissing);
  EXPECT_NE(o.marker.opaque, "absent");
  EXPECT_GT(o.changed_at_us, 0);
  EXPECT_TRUE(o.answered_absent);  // the file answers: no such member
}

TEST_F(JsonFileSideTest, MissingIntermediateObjectIsMissing) {
  WriteFile(dir_ / "paired.json", R"({"devices": {}})");
  Observation o = Make("paired.json", "/devices/device-42/token")->Observe();
  EXPECT_EQ(o.state, Observation::State::kMissing);
}

TEST_F(JsonFileSideTest, InvalidJsonNamesLineAndColumnButNotTheContent) {
  std::string reason = ReasonFor("{\n  \"token\": \"s3cret-token-value\",\n  x\n}\n", "/token");
  EXPECT_EQ(reason, File() + ": invalid JSON at line 3, column 3");
}

TEST_F(JsonFileSideTest, InvalidJsonOnFirstLineNamesColumn) {
  EXPECT_EQ(ReasonFor(R"({"a": 1,,})", "/a"), File() + ": invalid JSON at line 1, column 9");
}

TEST_F(JsonFileSideTest, EmptyFileIsUnreadable) {
  EXPECT_EQ(ReasonFor("", "/token"), File() + " is empty, not JSON");
}

TEST_F(JsonFileSideTest, PointerThroughStringIsUnreadable) {
  EXPECT_EQ(ReasonFor(R"({"devices": "s3cret-token-value"})", "/devices/device-42/token"),
            File() + ": /devices/device-42/token: /devices is a string, not an object");
}

TEST_F(JsonFileSideTest, PointerThroughArrayIsUnreadable) {
  EXPECT_EQ(ReasonFor(R"({"devices": ["s3cret-token-value"]})", "/devices/0"),
            File() + ": /devices/0: /devices is an array, not an object");
}

TEST_F(JsonFileSideTest, DocumentThatIsNotAnObjectIsUnreadable) {
  EXPECT_EQ(ReasonFor(R"("s3cret-token-value")", "/token"),
            File() + ": /token: the document is a string, not an object");
}

TEST_F(JsonFileSideTest, NumberValueIsUnreadable) {
  EXPECT_EQ(ReasonFor(R"({"token": 123456})", "/token"),
            File() + ": value at /token is a number, not a string");
}

TEST_F(JsonFileSideTest, NullValueIsMissing) {
  WriteFile(dir_ / "paired.json", R"({"token": null})");
  Observation o = Make("paired.json", "/token")->Observe();
  EXPECT_EQ(o.state, Observation::State::kMissing);
  EXPECT_NE(o.marker.opaque, "absent");  // the file exists: its marker guards a later write
}

TEST_F(JsonFileSideTest, ObjectValueIsUnreadable) {
  EXPECT_EQ(ReasonFor(R"({"token": {"v": "s3cret-token-value"}})", "/token"),
            File() + ": value at /token is an object, not a string");
}

TEST_F(JsonFileSideTest, DirectoryIsUnreadable) {
  fs::create_directory(dir_ / "paired.json");
  Observation o = Make("paired.json", "/token")->Observe();
  EXPECT_EQ(o.state, Observation::State::kUnreadable);
  EXPECT_EQ(o.reason, File() + " is a directory");
}

TEST_F(JsonFileSideTest, FifoIsUnreadableWithoutBlocking) {
  ASSERT_EQ(::mkfifo((dir_ / "paired.json").c_str(), 0600), 0);
  Observation o = Make("paired.json", "/token")->Observe();
  EXPECT_EQ(o.state, Observation::State::kUnreadable);
  EXPECT_EQ(o.reason, File() + " is not a regular file");
}

TEST_F(JsonFileSideTest, FileOver16MiBIsUnreadable) {
  WriteFile(dir_ / "paired.json", "");
  fs::resize_file(dir_ / "paired.json", 20971520);  // sparse: no 20 MiB written
  Observation o = Make("paired.json", "/token")->Observe();
  EXPECT_EQ(o.state, Observation::State::kUnreadable);
  EXPECT_EQ(o.reason, File() + " is 20971520 bytes, over the 16 MiB limit");
}

TEST_F(JsonFileSideTest, FileOfExactly16MiBIsRead) {
  WriteFile(dir_ / "paired.json", "{}");
  fs::resize_file(dir_ / "paired.json", kJsonFileMaxBytes);  // "{}" then NUL bytes
  Observation o = Make("paired.json", "/token")->Observe();
  EXPECT_EQ(o.state, Observation::State::kUnreadable);
  EXPECT_EQ(o.reason, File() + ": invalid JSON at line 1, column 3 (a NUL byte)");  // read, parsed
}

TEST_F(JsonFileSideTest, NulByteAfterValidJsonIsInvalidNotTheEndOfInput) {
  EXPECT_EQ(ReasonFor(std::string("{\"token\": \"a\"}\n\0\0", 17), "/token"),
            File() + ": invalid JSON at line 2, column 1 (a NUL byte)");
}

TEST_F(JsonFileSideTest, NestingDeeperThan512LevelsIsUnreadable) {
  // nlohmann recurses per level; a few MiB of "[" would overflow the stack.
  std::string deep = "{\"token\": \"s3cret-token-value\", \"x\": " + std::string(512, '[') +
                     std::string(512, ']') + "}";
  EXPECT_EQ(ReasonFor(deep, "/token"), File() + ": JSON nested deeper than 512 levels");
}

TEST_F(JsonFileSideTest, NestingOf512LevelsIsRead) {
  WriteFile(dir_ / "paired.json", "{\"token\": \"v\", \"x\": " + std::string(511, '[') +
                                      "\"]{[\"" + std::string(511, ']') + "}");
  Observation o = Make("paired.json", "/token")->Observe();
  ASSERT_EQ(o.state, Observation::State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o), "v");
}

TEST_F(JsonFileSideTest, PermissionDeniedIsUnreadableWithStrerror) {
  fs::permissions(dir_.path(), static_cast<fs::perms>(0755));  // reachable by the child
  WriteFile(dir_ / "paired.json", R"({"token": "s3cret-token-value"})");
  fs::permissions(dir_ / "paired.json", fs::perms::none);
  auto side = Make("paired.json", "/token");

  // As an unprivileged child when we are root (root bypasses file permissions).
  Status s = testing::RunUnprivileged([&] {
    Observation o = side->Observe();
    if (o.state != Observation::State::kUnreadable) return Status::Internal("not unreadable");
    return Status::FailedPrecondition(o.reason);
  });

  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_EQ(s.message(), File() + ": Permission denied");
}

TEST_F(JsonFileSideTest, MarkerIsStableWhileTheFileIsUnchanged) {
  WriteFile(dir_ / "paired.json", R"({"token": "a"})");
  auto side = Make("paired.json", "/token");
  EXPECT_EQ(side->Observe().marker, side->Observe().marker);
}

TEST_F(JsonFileSideTest, MarkerChangesWhenContentChangesKeepingSizeAndMtime) {
  WriteFile(dir_ / "paired.json", R"({"token": "aaaa"})");
  auto side = Make("paired.json", "/token");
  auto mtime = fs::last_write_time(dir_ / "paired.json");
  Observation before = side->Observe();

  WriteFile(dir_ / "paired.json", R"({"token": "bbbb"})");  // same inode, same size
  fs::last_write_time(dir_ / "paired.json", mtime);
  Observation after = side->Observe();

  ASSERT_EQ(after.state, Observation::State::kValue);
  EXPECT_EQ(after.changed_at_us, before.changed_at_us);
  EXPECT_NE(after.marker, before.marker);
}

// --- a pairing: several fields in one file --------------------------------------------------

KindFields PairingKind() { return KindFields{"pairing", {"device_id", "token", "gateway_url", "paired_at"}, "token"}; }

class JsonFilePairingTest : public JsonFileSideTest {
 protected:
  // paired.json with token=/token (line 13), device_id=/device_id (14), gateway_url=/gateway_url
  // (15) in the side's fields table; `items` replaces that table.
  SideOptions PairingOptions(StringTable items = {{"token", "/token", 13},
                                                  {"device_id", "/device_id", 14},
                                                  {"gateway_url", "/gateway_url", 15}}) {
    SideOptions o("seam.toml", dir_.path(), "device-42", "cli", 10);
    o.SetKind(PairingKind());
    o.Set("path", OptionValue{std::string("paired.json"), 11});
    o.Set("fields", OptionValue{std::move(items), 12});
    return o;
  }
  std::unique_ptr<Side> MakePairing() {
    SideOptions o = PairingOptions();
    auto side = MakeJsonFileSide(o);
    EXPECT_TRUE(side.ok()) << side.status().ToString();
    return side.ok() ? std::move(side).value() : nullptr;
  }
  std::string PairingError(SideOptions o) {
    auto side = MakeJsonFileSide(o);
    EXPECT_FALSE(side.ok());
    EXPECT_EQ(side.status().code(), StatusCode::kInvalidArgument);
    return side.status().message();
  }
};

constexpr char kPairingWhere[] = "seam `device-42` side `cli`";

TEST_F(JsonFilePairingTest, FieldsAreTheMappedOnesInKindOrder) {
  auto side = MakePairing();
  ASSERT_NE(side, nullptr);
  EXPECT_EQ(side->Fields(), (std::vector<std::string>{"device_id", "token", "gateway_url"}));
  EXPECT_EQ(side->Describe(), "json-file " + File() +
                                  " (device_id=#/device_id, token=#/token, gateway_url=#/gateway_url)");
  // The token kind's one field, by the shorthand.
  EXPECT_EQ(Make("paired.json", "/token")->Fields(), std::vector<std::string>{"token"});
}

TEST_F(JsonFilePairingTest, ObservesEveryMappedField) {
  WriteFile(dir_ / "paired.json", R"({"device_id": "device-42", "token": "s3cret-token-value",
    "gateway_url": "https://gw.example:8443", "paired_at": "not mapped", "other": [1]})");
  Observation o = MakePairing()->Observe();
  ASSERT_EQ(o.state, Observation::State::kValue) << o.reason;
  EXPECT_EQ(o.fields.size(), 3u);
  EXPECT_EQ(FieldText(o, "device_id"), "device-42");
  EXPECT_EQ(FieldText(o, "token"), kSecret);
  EXPECT_EQ(FieldText(o, "gateway_url"), "https://gw.example:8443");
  EXPECT_EQ(FieldText(o, "paired_at"), "<absent>");
  EXPECT_GT(o.changed_at_us, 0);
}

TEST_F(JsonFilePairingTest, APartialFileHoldsOnlyTheFieldsPresent) {
  WriteFile(dir_ / "paired.json", R"({"token": "s3cret-token-value", "gateway_url": null})");
  Observation o = MakePairing()->Observe();
  ASSERT_EQ(o.state, Observation::State::kValue) << o.reason;
  EXPECT_EQ(o.fields.size(), 1u);
  EXPECT_EQ(FieldText(o), kSecret);
  EXPECT_EQ(FieldText(o, "device_id"), "<absent>");
  EXPECT_EQ(FieldText(o, "gateway_url"), "<absent>");
}

TEST_F(JsonFilePairingTest, NoMappedFieldIsMissing) {
  WriteFile(dir_ / "paired.json", R"({"token": null, "paired_at": "x"})");
  Observation o = MakePairing()->Observe();
  EXPECT_EQ(o.state, Observation::State::kMissing) << o.reason;
  EXPECT_NE(o.marker.opaque, "absent");
  EXPECT_EQ(MakePairing()->Observe().marker, o.marker);
}

TEST_F(JsonFilePairingTest, OneUnreadableFieldMakesTheSideUnreadableNamingItsPointer) {
  WriteFile(dir_ / "paired.json", R"({"token": "s3cret-token-value", "device_id": 42})");
  Observation o = MakePairing()->Observe();
  EXPECT_EQ(o.state, Observation::State::kUnreadable);
  EXPECT_EQ(o.reason, File() + ": value at /device_id is a number, not a string");
  EXPECT_FALSE(o.marker.opaque.empty());

  WriteFile(dir_ / "paired.json", R"({"token": "s3cret-token-value", "gateway_url": ["x"]})");
  EXPECT_EQ(MakePairing()->Observe().reason, File() + ": value at /gateway_url is an array, not a string");
}

TEST_F(JsonFilePairingTest, ShorthandAndFieldsTableCombine) {
  SideOptions o = PairingOptions({{"device_id", "/devices/d/id", 14}});
  o.Set("pointer", OptionValue{std::string("/devices/d/token"), 13});
  auto side = MakeJsonFileSide(o);
  ASSERT_TRUE(side.ok()) << side.status().ToString();
  EXPECT_EQ((*side)->Fields(), (std::vector<std::string>{"device_id", "token"}));
  WriteFile(dir_ / "paired.json", R"({"devices": {"d": {"id": "device-42", "token": "t"}}})");
  Observation obs = (*side)->Observe();
  ASSERT_EQ(obs.state, Observation::State::kValue) << obs.reason;
  EXPECT_EQ(FieldText(obs, "device_id"), "device-42");
  EXPECT_EQ(FieldText(obs), "t");
}

TEST_F(JsonFilePairingTest, FactoryRefusesAFieldTheKindDoesNotHave) {
  EXPECT_EQ(PairingError(PairingOptions({{"token", "/token", 13}, {"device", "/device", 14}})),
            std::string("seam.toml:14: ") + kPairingWhere +
                ": `fields.device`: kind `pairing` has no field `device`; its fields: device_id, "
                "token, gateway_url, paired_at");
}

TEST_F(JsonFilePairingTest, FactoryRefusesAMalformedPointerInTheFieldsTable) {
  EXPECT_EQ(PairingError(PairingOptions({{"token", "/token", 13}, {"device_id", "device_id", 14}})),
            std::string("seam.toml:14: ") + kPairingWhere +
                ": key `fields.device_id` must be an RFC 6901 JSON pointer starting with \"/\", got "
                "\"device_id\"");
  EXPECT_TRUE(Contains(PairingError(PairingOptions({{"gateway_url", "/a~2", 15}})),
                       ":15: seam `device-42` side `cli`: key `fields.gateway_url` has a `~` not followed"));
}

TEST_F(JsonFilePairingTest, FactoryRefusesTwoFieldsAtTheSameMember) {
  EXPECT_EQ(PairingError(PairingOptions({{"token", "/token", 13}, {"device_id", "/token", 14}})),
            std::string("seam.toml:14: ") + kPairingWhere +
                ": key `fields.device_id` \"/token\" names the same member as `fields.token` (line "
                "13); each field needs a member of its own");
  // Spelt differently, the same member: "~1" is "/".
  EXPECT_TRUE(Contains(PairingError(PairingOptions({{"token", "/a~1b", 13}, {"device_id", "/a~1b", 14}})),
                       "names the same member"));
}

TEST_F(JsonFilePairingTest, FactoryRefusesAFieldInsideAnother) {
  EXPECT_EQ(PairingError(PairingOptions({{"token", "/pairing/token", 13}, {"device_id", "/pairing", 14}})),
            std::string("seam.toml:14: ") + kPairingWhere +
                ": key `fields.device_id` \"/pairing\" contains `fields.token` (line 13)'s "
                "\"/pairing/token\"; each field needs a member of its own");
  SideOptions o = PairingOptions({{"device_id", "/d", 14}});
  o.Set("pointer", OptionValue{std::string("/d/token"), 16});
  EXPECT_EQ(PairingError(std::move(o)),
            std::string("seam.toml:16: ") + kPairingWhere +
                ": key `pointer` \"/d/token\" lies inside `fields.device_id` (line 14)'s \"/d\"; each "
                "field needs a member of its own");
  // A shared prefix of characters is not a shared member.
  SideOptions ok = PairingOptions({{"token", "/a/b", 13}, {"device_id", "/a/bc", 14}, {"gateway_url", "/ab", 15}});
  EXPECT_TRUE(MakeJsonFileSide(ok).ok());
}

TEST_F(JsonFilePairingTest, FactoryRefusesThePrimaryFieldGivenTwice) {
  SideOptions o = PairingOptions();
  o.Set("pointer", OptionValue{std::string("/token"), 16});
  EXPECT_EQ(PairingError(std::move(o)),
            std::string("seam.toml:16: ") + kPairingWhere +
                ": key `pointer` places field `token`, which `fields` (line 12) places too; keep one");
}

}  // namespace
}  // namespace seam
