// exec side mapping several fields of its kind (`fields = [...]`): the config checks, the
// {"fields": {...}} protocol through real scripts, and what stays protected.
#include <filesystem>
#include <string>
#include <vector>

#include "tests/plugins/exec/exec_side_fixture.h"

namespace seam {
namespace {

namespace fs = std::filesystem;
using testing::Contains;
using testing::FieldText;
using testing::kSecret;
using testing::OneField;
using testing::ReadFile;

constexpr char kWhere[] = "seam.toml:14: seam `device-token` side `vault`: key `fields` ";
constexpr char kFieldsShape[] =
    "; expected {\"fields\": {\"device_id\": \"...\", \"token\": \"...\"}} or {\"missing\": true}";

class ExecSideFieldsTest : public testing::ExecSideFixture {
 protected:
  // A pairing side; `fields` given on line 14 unless empty.
  SideOptions PairingOptions(std::vector<std::string> fields = {"token", "device_id"},
                             std::vector<std::string> read = {"./read.sh"}) {
    SideOptions o = Options(std::move(read));
    o.SetKind(KindFields{"pairing", {"device_id", "token", "gateway_url", "paired_at"}, "token"});
    if (!fields.empty()) o.Set("fields", OptionValue{std::move(fields), 14});
    return o;
  }
  std::string FactoryError(SideOptions o) {
    auto side = MakeExecSide(o);
    EXPECT_FALSE(side.ok());
    EXPECT_EQ(side.status().code(), StatusCode::kInvalidArgument);
    return side.status().message();
  }
  // The reason a pairing side's `read` (a script with `body`) is unreadable.
  std::string PairingReasonFor(const std::string& body) {
    Script("custom-read.sh", body);
    Observation o = Make(PairingOptions({"token", "device_id"}, {"./custom-read.sh"}))->Observe();
    EXPECT_EQ(o.state, Observation::State::kUnreadable);
    EXPECT_FALSE(Contains(o.reason, kSecret)) << o.reason;
    return o.reason;
  }
  static Record Pairing() {
    Record r;
    r.emplace("device_id", Secret(std::string("device-42")));
    r.emplace("token", Secret(std::string(kSecret)));
    r.emplace("paired_at", Secret(std::string("1700000000")));  // not mapped: never sent
    return r;
  }
};

// --- factory ---------------------------------------------------------------------------------

TEST_F(ExecSideFieldsTest, FieldsDefaultToThePrimaryFieldAndFollowTheKindsOrder) {
  EXPECT_EQ(Make()->Fields(), std::vector<std::string>{"token"});
  EXPECT_EQ(Make(PairingOptions({}))->Fields(), std::vector<std::string>{"token"});
  EXPECT_EQ(Make(PairingOptions({"gateway_url", "token", "device_id"}))->Fields(),
            (std::vector<std::string>{"device_id", "token", "gateway_url"}));
}

TEST_F(ExecSideFieldsTest, FactoryRefusesAFieldTheKindDoesNotHave) {
  EXPECT_EQ(FactoryError(PairingOptions({"token", "device"})),
            std::string(kWhere) + "names `device`, but kind `pairing` has no such field; its fields: "
                                  "device_id, token, gateway_url, paired_at");
  SideOptions token_kind = Options();
  token_kind.Set("fields", OptionValue{std::vector<std::string>{"device_id"}, 14});
  EXPECT_EQ(FactoryError(std::move(token_kind)),
            std::string(kWhere) + "names `device_id`, but kind `token` has no such field; its fields: token");
}

TEST_F(ExecSideFieldsTest, FactoryRefusesADuplicateOrEmptyOrNonListFields) {
  EXPECT_EQ(FactoryError(PairingOptions({"token", "device_id", "token"})),
            std::string(kWhere) + "lists `token` twice");
  SideOptions empty = PairingOptions({});
  empty.Set("fields", OptionValue{std::vector<std::string>{}, 14});
  EXPECT_EQ(FactoryError(std::move(empty)),
            std::string(kWhere) + "is empty; list the fields of kind `pairing` the programs exchange: "
                                  "device_id, token, gateway_url, paired_at");
  // The json-file form of `fields` (a table of places) means nothing here.
  SideOptions table = PairingOptions({});
  table.Set("fields", OptionValue{StringTable{{"token", "/token", 15}}, 14});
  EXPECT_EQ(FactoryError(std::move(table)), std::string(kWhere) + "must be a list of strings");
}

// --- observe ---------------------------------------------------------------------------------

TEST_F(ExecSideFieldsTest, ObservesTheFieldsWithAMarkerThatFollowsThem) {
  auto side = Make(PairingOptions({"token", "device_id", "gateway_url"}));
  Store(std::string("{\"fields\": {\"device_id\": \"device-42\", \"token\": \"") + kSecret +
        "\", \"gateway_url\": null}}");
  Observation o = side->Observe();
  ASSERT_EQ(o.state, Observation::State::kValue) << o.reason;
  EXPECT_EQ(o.fields.size(), 2u);
  EXPECT_EQ(FieldText(o), kSecret);
  EXPECT_EQ(FieldText(o, "device_id"), "device-42");
  EXPECT_EQ(FieldText(o, "gateway_url"), "<absent>");
  EXPECT_FALSE(Contains(o.marker.opaque, kSecret));
  // Same fields in other bytes and order: same marker. One field changed: another marker.
  Store(std::string("{\"fields\":{\"token\":\"") + kSecret + "\",\"device_id\":\"device-42\"}}");
  EXPECT_EQ(side->Observe().marker, o.marker);
  Store(std::string("{\"fields\":{\"token\":\"") + kSecret + "\",\"device_id\":\"device-43\"}}");
  EXPECT_NE(side->Observe().marker, o.marker);
  // A value moved to another field is a change too.
  Store("{\"fields\":{\"device_id\":\"x\"}}");
  Observation only_id = side->Observe();
  Store("{\"fields\":{\"token\":\"x\"}}");
  EXPECT_NE(side->Observe().marker, only_id.marker);
}

TEST_F(ExecSideFieldsTest, NoFieldPresentIsMissing) {
  auto side = Make(PairingOptions());
  for (const char* store : {"{\"missing\": true}", "{\"fields\": {}}", "{\"fields\": {\"token\": null}}"}) {
    Store(store);
    Observation o = side->Observe();
    EXPECT_EQ(o.state, Observation::State::kMissing) << store << ": " << o.reason;
    EXPECT_EQ(o.marker.opaque, "missing");
  }
}

TEST_F(ExecSideFieldsTest, ASingleFieldSideReadsTheFieldsFormAsTheValueForm) {
  auto side = Make();
  Store(std::string("{\"fields\": {\"token\": \"") + kSecret + "\"}}");
  Observation fields = side->Observe();
  ASSERT_EQ(fields.state, Observation::State::kValue) << fields.reason;
  EXPECT_EQ(FieldText(fields), kSecret);
  Store(std::string("{\"value\": \"") + kSecret + "\"}");
  EXPECT_EQ(side->Observe().marker, fields.marker);
}

TEST_F(ExecSideFieldsTest, BadFieldsAreUnreadableNamingTheExpectedShape) {
  EXPECT_EQ(PairingReasonFor("echo '{\"fields\": {\"token\": \"x\", \"device\": \"y\"}}'\n"),
            std::string("exec `./custom-read.sh`: \"fields\" has a member that is not one of this "
                        "side's fields (device_id, token)") + kFieldsShape);
  EXPECT_EQ(PairingReasonFor("echo '{\"fields\": {\"token\": 7}}'\n"),
            std::string("exec `./custom-read.sh`: field \"token\" is a number, not a string") + kFieldsShape);
  EXPECT_EQ(PairingReasonFor(std::string("echo '{\"value\": \"") + kSecret + "\"}'\n"),
            std::string("exec `./custom-read.sh`: printed \"value\", but this side maps the fields "
                        "device_id, token") + kFieldsShape);
}

TEST_F(ExecSideFieldsTest, AFailingReadEchoingAnyFieldOnStderrIsWithheld) {
  EXPECT_EQ(PairingReasonFor("echo '{\"fields\": {\"device_id\": \"dev 42\"}}'\n"
                             "echo 'no token for dev 42' >&2\nexit 2\n"),
            "exec `./custom-read.sh`: exited 2: (stderr withheld: it contains the value)");
}

// --- write and remove ------------------------------------------------------------------------

TEST_F(ExecSideFieldsTest, WriteSendsTheMappedFieldsAndReadsThemBack) {
  auto side = Make(PairingOptions());
  Observation before = side->Observe();
  ASSERT_EQ(before.state, Observation::State::kMissing) << before.reason;

  ASSERT_TRUE(side->Write(Pairing(), before.marker).ok());

  EXPECT_EQ(ReadFile(dir_ / "store.json"),
            std::string("{\"fields\":{\"device_id\":\"device-42\",\"token\":\"") + kSecret + "\"}}\n");
  Observation after = side->Observe();
  ASSERT_EQ(after.state, Observation::State::kValue) << after.reason;
  EXPECT_EQ(FieldText(after, "device_id"), "device-42");
  EXPECT_EQ(FieldText(after), kSecret);
}

TEST_F(ExecSideFieldsTest, WriteSendsOnlyTheFieldsTheRecordHolds) {
  Script("write.sh", "cat > write.in\n");
  auto side = Make(PairingOptions());
  ASSERT_TRUE(side->Write(OneField("device-7", "device_id"), side->Observe().marker).ok());
  EXPECT_EQ(ReadFile(dir_ / "write.in"), "{\"fields\":{\"device_id\":\"device-7\"}}\n");
}

TEST_F(ExecSideFieldsTest, ARecordWithNoMappedFieldRunsNothingButTheCheck) {
  Script("write.sh", "touch write-ran\n");
  auto side = Make(PairingOptions());
  ASSERT_TRUE(side->Write(OneField("1700000000", "paired_at"), side->Observe().marker).ok());
  EXPECT_FALSE(fs::exists(dir_ / "write-ran"));
  // Still compare-and-swap: a side that changed refuses.
  Status stale = side->Write(OneField("1700000000", "paired_at"), ChangeMarker{"value:stale"});
  EXPECT_EQ(stale.code(), StatusCode::kFailedPrecondition);
}

TEST_F(ExecSideFieldsTest, WriteRefusesWhenAFieldChangedSinceObserved) {
  Script("write.sh", "touch write-ran\n");
  auto side = Make(PairingOptions());
  Store("{\"fields\": {\"device_id\": \"device-42\", \"token\": \"old\"}}");
  Observation seen = side->Observe();
  Store("{\"fields\": {\"device_id\": \"device-43\", \"token\": \"old\"}}");
  Status s = side->Write(Pairing(), seen.marker);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "exec ./read.sh changed since it was observed; not writing");
  EXPECT_FALSE(fs::exists(dir_ / "write-ran"));
}

TEST_F(ExecSideFieldsTest, RemoveSendsEveryMappedFieldAsNull) {
  auto side = Make(PairingOptions());
  Store("{\"fields\": {\"device_id\": \"device-42\", \"token\": \"t\"}}");
  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());
  // `write` got it (no `remove` program); printed back, it reads as missing.
  EXPECT_EQ(ReadFile(dir_ / "store.json"), "{\"fields\":{\"device_id\":null,\"token\":null}}\n");
  EXPECT_EQ(side->Observe().state, Observation::State::kMissing);

  Script("remove.sh", "cat > remove.in\nrm -f store.json\n");
  SideOptions o = PairingOptions();
  o.Set("remove", OptionValue{std::vector<std::string>{"./remove.sh"}, 13});
  auto with_remove = Make(std::move(o));
  Store("{\"fields\": {\"token\": \"t\"}}");
  ASSERT_TRUE(with_remove->Remove(with_remove->Observe().marker).ok());
  EXPECT_EQ(ReadFile(dir_ / "remove.in"), "{\"fields\":{\"device_id\":null,\"token\":null}}\n");
  EXPECT_EQ(with_remove->Observe().state, Observation::State::kMissing);
}

TEST_F(ExecSideFieldsTest, StderrEchoingAnyValueIsWithheld) {
  // A new value that looks like no token, and an old value of another field.
  Script("write.sh", "echo 'cannot store device-42' >&2\nexit 1\n");
  auto side = Make(PairingOptions());
  Status s = side->Write(Pairing(), side->Observe().marker);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.message(), "exec `./write.sh`: exited 1: (stderr withheld: it contains the value)");

  Store("{\"fields\": {\"device_id\": \"dev 7\", \"token\": \"t\"}}");
  Script("write.sh", "echo 'will not replace dev 7' >&2\nexit 1\n");
  EXPECT_EQ(side->Write(OneField("new"), side->Observe().marker).message(),
            "exec `./write.sh`: exited 1: (stderr withheld: it contains the value)");
  // A pre-read failing while a new value is on its stderr.
  Script("read.sh", "echo 'busy writing device-42' >&2\nexit 1\n");
  EXPECT_EQ(side->Write(Pairing(), ChangeMarker{"missing"}).message(),
            "exec `./read.sh`: exited 1: (stderr withheld: it contains the value); not writing");
}

TEST_F(ExecSideFieldsTest, AValueThatIsNotUtf8IsRefusedNamingItsField) {
  Script("write.sh", "touch write-ran\n");
  Status s = Make(PairingOptions())->Write(OneField("\xff\xfe", "device_id"), ChangeMarker{"missing"});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "exec `./write.sh`: the value of `device_id` is not valid UTF-8, which a JSON "
                         "string must be; not writing");
  EXPECT_FALSE(fs::exists(dir_ / "write-ran"));
}

}  // namespace
}  // namespace seam
