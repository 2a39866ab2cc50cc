// sqlite-row: a side mapping several fields of a record (a pairing: token, device_id and
// gateway_url columns of one row): the field map's config checks, observing partial rows,
// writing and removing every mapped column in one statement of one transaction.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/plugins/sqlite_row/sqlite_row_fixture.h"

namespace seam::testing {
namespace {

using State = Observation::State;

constexpr char kDevice[] = "device-42";
constexpr char kUrl[] = "https://gw.example/pair";

class SqliteRowRecordTest : public SqliteRowTest {
 protected:
  // The CLI's database: slot `cli` holds a whole pairing plus a column seam does not map. Every
  // UPDATE and INSERT of a row is recorded in `audit` (one row per statement and row), so a
  // test can tell one statement from several.
  void CreatePairingDb(const std::string& columns = "token TEXT, device_id TEXT, gateway_url TEXT") {
    OtherProgram cli(Db());
    cli.Exec("CREATE TABLE paired (slot TEXT PRIMARY KEY, " + columns + ", note TEXT)");
    cli.Exec("CREATE TABLE audit (op TEXT, slot TEXT, token TEXT, device_id TEXT, gateway_url TEXT)");
    if (columns.find("gateway_url") != std::string::npos) {
      cli.Exec("CREATE TRIGGER paired_update AFTER UPDATE ON paired BEGIN INSERT INTO audit VALUES "
               "('update', new.slot, new.token, new.device_id, new.gateway_url); END");
      cli.Exec("CREATE TRIGGER paired_insert AFTER INSERT ON paired BEGIN INSERT INTO audit VALUES "
               "('insert', new.slot, new.token, new.device_id, new.gateway_url); END");
    }
    cli.Exec("INSERT INTO paired (slot, token, device_id" +
             std::string(columns.find("gateway_url") != std::string::npos ? ", gateway_url" : "") +
             ", note) VALUES ('cli', '" + std::string(kSecret) + "', '" + kDevice + "'" +
             (columns.find("gateway_url") != std::string::npos ? ", '" + std::string(kUrl) + "'" : "") +
             ", 'keep me')");
    cli.Exec("DELETE FROM audit");
  }

  // A pairing-kind side on slot `cli`: `token` by the value_column shorthand, the others by the
  // fields table (lines 31.., or as given).
  SideOptions PairingOptions(const Keys& changes = {},
                             StringTable fields = {{"device_id", "device_id", 31},
                                                   {"gateway_url", "gateway_url", 32}}) {
    Keys keys{{"table", "paired"}, {"key_column", "slot"}, {"key", "cli"}, {"value_column", "token"}};
    for (const auto& [k, v] : changes) keys[k] = v;
    SideOptions o = Options(keys);
    o.SetKind(KindFields{"pairing", {"device_id", "token", "gateway_url", "paired_at"}, "token"});
    if (!fields.empty()) o.Set("fields", OptionValue{std::move(fields), 30});
    return o;
  }
  std::unique_ptr<Side> MakePairing(const Keys& changes = {}) {
    SideOptions o = PairingOptions(changes);
    auto side = MakeSqliteRowSide(o);
    EXPECT_TRUE(side.ok()) << side.status().ToString();
    return side.ok() ? std::move(side).value() : nullptr;
  }
  std::string PairingError(const Keys& changes, StringTable fields) {
    SideOptions o = PairingOptions(changes, std::move(fields));
    auto side = MakeSqliteRowSide(o);
    EXPECT_FALSE(side.ok());
    if (side.ok()) return "";
    EXPECT_EQ(side.status().code(), StatusCode::kInvalidArgument);
    return side.status().message();
  }
  static Record Pairing(const std::string& token, const std::string& device, const std::string& url) {
    Record r;
    r.emplace("token", Secret(token));
    r.emplace("device_id", Secret(device));
    r.emplace("gateway_url", Secret(url));
    return r;
  }
};

// --- config ----------------------------------------------------------------------------------

TEST_F(SqliteRowRecordTest, FieldsAreInKindOrderAndDescribeNamesEveryColumn) {
  auto side = MakePairing();
  ASSERT_NE(side, nullptr);
  EXPECT_EQ(side->Fields(), (std::vector<std::string>{"device_id", "token", "gateway_url"}));
  EXPECT_EQ(side->Describe(), "sqlite-row " + Shown() + " paired.(device_id, token, gateway_url) where slot = cli");
  // The primary field may be placed by the fields table alone.
  SideOptions o = PairingOptions({{"value_column", ""}}, {{"token", "token", 31}});
  auto only_token = MakeSqliteRowSide(o);
  ASSERT_TRUE(only_token.ok()) << only_token.status().ToString();
  EXPECT_EQ((*only_token)->Fields(), std::vector<std::string>{"token"});
}

TEST_F(SqliteRowRecordTest, BadColumnInTheFieldsTableNamesItsLine) {
  EXPECT_EQ(PairingError({}, {{"device_id", "device id", 31}}),
            "seam.toml:31: seam `pairing` side `gateway`: key `fields.device_id` must be a plain SQL "
            "identifier ([A-Za-z_][A-Za-z0-9_]*), got \"device id\"");
  EXPECT_EQ(PairingError({{"value_column", ""}}, {{"token", "tok;en", 33}}),
            "seam.toml:33: seam `pairing` side `gateway`: key `fields.token` must be a plain SQL "
            "identifier ([A-Za-z_][A-Za-z0-9_]*), got \"tok;en\"");
}

TEST_F(SqliteRowRecordTest, TheSameColumnTwiceOrTheKeyColumnIsRefused) {
  EXPECT_EQ(PairingError({}, {{"device_id", "device_id", 31}, {"gateway_url", "TOKEN", 32}}),
            "seam.toml:32: seam `pairing` side `gateway`: key `fields.gateway_url` names the same "
            "column as `value_column` (line 15)");
  EXPECT_EQ(PairingError({}, {{"device_id", "url", 31}, {"gateway_url", "url", 32}}),
            "seam.toml:32: seam `pairing` side `gateway`: key `fields.gateway_url` names the same "
            "column as `fields.device_id` (line 31)");
  EXPECT_EQ(PairingError({}, {{"device_id", "Slot", 31}}),
            "seam.toml:31: seam `pairing` side `gateway`: key `fields.device_id` names the same "
            "column as `key_column`");
}

TEST_F(SqliteRowRecordTest, FieldMapErrorsOfTheOptionsNameTheLine) {
  std::string e = PairingError({}, {{"owner", "owner", 34}});
  EXPECT_TRUE(Contains(e, "seam.toml:34:")) << e;
  EXPECT_TRUE(Contains(e, "kind `pairing` has no field `owner`")) << e;
  e = PairingError({}, {{"token", "token2", 31}});
  EXPECT_TRUE(Contains(e, "seam.toml:15:")) << e;
  EXPECT_TRUE(Contains(e, "keep one")) << e;
  EXPECT_EQ(PairingError({{"value_column", ""}}, {}),
            "seam.toml:10: seam `pairing` side `gateway`: missing required key `value_column`");
}

// --- observe ---------------------------------------------------------------------------------

TEST_F(SqliteRowRecordTest, ObservesEveryMappedColumnOfTheRow) {
  CreatePairingDb();
  auto side = MakePairing();
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  EXPECT_EQ(o.fields.size(), 3u);
  EXPECT_EQ(FieldText(o), kSecret);
  EXPECT_EQ(FieldText(o, "device_id"), kDevice);
  EXPECT_EQ(FieldText(o, "gateway_url"), kUrl);
  EXPECT_FALSE(Contains(o.marker.opaque, kSecret));
  // The marker follows the mapped cells only.
  OtherProgram cli(Db());
  cli.Exec("UPDATE paired SET note = 'other' WHERE slot = 'cli'");
  EXPECT_EQ(side->Observe().marker, o.marker);
  cli.Exec("UPDATE paired SET gateway_url = 'https://elsewhere' WHERE slot = 'cli'");
  EXPECT_NE(side->Observe().marker, o.marker);
}

TEST_F(SqliteRowRecordTest, NullCellsAreAbsentFieldsAndAllNullIsMissing) {
  CreatePairingDb();
  auto side = MakePairing();
  OtherProgram cli(Db());
  cli.Exec("UPDATE paired SET token = NULL WHERE slot = 'cli'");
  Observation partial = side->Observe();
  ASSERT_EQ(partial.state, State::kValue) << partial.reason;
  EXPECT_EQ(FieldText(partial), "<absent>");
  EXPECT_EQ(FieldText(partial, "device_id"), kDevice);
  EXPECT_EQ(FieldText(partial, "gateway_url"), kUrl);
  cli.Exec("UPDATE paired SET device_id = NULL, gateway_url = NULL WHERE slot = 'cli'");
  Observation all_null = side->Observe();
  EXPECT_EQ(all_null.state, State::kMissing) << all_null.reason;
  EXPECT_TRUE(all_null.fields.empty());
  Observation no_row = MakePairing({{"key", "other"}})->Observe();
  EXPECT_EQ(no_row.state, State::kMissing) << no_row.reason;
  EXPECT_NE(all_null.marker, no_row.marker);
}

TEST_F(SqliteRowRecordTest, AMissingMappedColumnIsUnreadableNamingIt) {
  CreatePairingDb("token TEXT, device_id TEXT");
  auto side = MakePairing();
  EXPECT_EQ(UnreadableReason(*side), Shown() + ": table \"paired\" has no column \"gateway_url\"");
  EXPECT_EQ(Refused(side->Write(Pairing("t", "d", "u"), ChangeMarker{"row:absent"})),
            Shown() + ": table \"paired\" has no column \"gateway_url\"; not writing");
  EXPECT_EQ(Refused(side->CheckWritable()), Shown() + ": table \"paired\" has no column \"gateway_url\"");
  EXPECT_EQ(OtherProgram(Db()).Text("SELECT token FROM paired WHERE slot = 'cli'"), kSecret);
}

TEST_F(SqliteRowRecordTest, ANonTextCellIsUnreadableNamingItsColumn) {
  CreatePairingDb("token TEXT, device_id, gateway_url TEXT");
  OtherProgram(Db()).Exec("UPDATE paired SET device_id = 42 WHERE slot = 'cli'");
  EXPECT_EQ(UnreadableReason(*MakePairing()),
            Shown() + ": paired.device_id where slot = \"cli\" is an integer, not text");
}

// --- write / remove --------------------------------------------------------------------------

TEST_F(SqliteRowRecordTest, WriteSetsEveryPresentFieldInOneUpdate) {
  CreatePairingDb();
  auto side = MakePairing();
  Record record = Pairing("n3w-token", "device-43", "https://gw2.example");
  record.emplace("paired_at", Secret(std::string("1700000000")));  // not mapped: ignored
  Status s = side->Write(record, side->Observe().marker);
  ASSERT_TRUE(s.ok()) << s.ToString();
  OtherProgram cli(Db());
  // One UPDATE statement: the trigger ran once and saw every new value together.
  EXPECT_EQ(cli.Count("audit"), "1");
  EXPECT_EQ(cli.Text("SELECT op || ' ' || token || ' ' || device_id || ' ' || gateway_url FROM audit"),
            "update n3w-token device-43 https://gw2.example");
  EXPECT_EQ(cli.Text("SELECT note FROM paired WHERE slot = 'cli'"), "keep me");
  Observation after = side->Observe();
  ASSERT_EQ(after.state, State::kValue) << after.reason;
  EXPECT_EQ(FieldText(after), "n3w-token");
  EXPECT_EQ(FieldText(after, "device_id"), "device-43");
  EXPECT_EQ(FieldText(after, "gateway_url"), "https://gw2.example");
}

TEST_F(SqliteRowRecordTest, WriteLeavesMappedFieldsAbsentFromTheRecordAlone) {
  CreatePairingDb();
  auto side = MakePairing();
  ASSERT_TRUE(side->Write(OneField("only-the-token"), side->Observe().marker).ok());
  OtherProgram cli(Db());
  EXPECT_EQ(cli.Text("SELECT token || ' ' || device_id || ' ' || gateway_url FROM paired WHERE slot = 'cli'"),
            "only-the-token " + std::string(kDevice) + " " + kUrl);
  EXPECT_EQ(cli.Count("audit"), "1");
  // A record holding none of the mapped fields writes nothing.
  ASSERT_TRUE(side->Write(OneField("x", "paired_at"), side->Observe().marker).ok());
  EXPECT_EQ(cli.Count("audit"), "1");
}

TEST_F(SqliteRowRecordTest, WriteInsertsTheMissingRowWithEveryPresentFieldInOneInsert) {
  CreatePairingDb();
  auto side = MakePairing({{"key", "new-slot"}, {"insert", "true"}});
  Observation before = side->Observe();
  ASSERT_EQ(before.state, State::kMissing) << before.reason;
  Record record;
  record.emplace("token", Secret(std::string("t-new")));
  record.emplace("device_id", Secret(std::string("d-new")));
  Status s = side->Write(record, before.marker);
  ASSERT_TRUE(s.ok()) << s.ToString();
  OtherProgram cli(Db());
  EXPECT_EQ(cli.Count("audit"), "1");
  EXPECT_EQ(cli.Text("SELECT op || ' ' || slot || ' ' || token || ' ' || device_id || ' ' || "
                     "ifnull(gateway_url, 'NULL') FROM audit"),
            "insert new-slot t-new d-new NULL");
}

TEST_F(SqliteRowRecordTest, WriteRefusesWhenAnyMappedCellChangedSinceObserved) {
  CreatePairingDb();
  auto side = MakePairing();
  ChangeMarker marker = side->Observe().marker;
  OtherProgram cli(Db());
  cli.Exec("UPDATE paired SET device_id = 'theirs' WHERE slot = 'cli'");
  cli.Exec("DELETE FROM audit");
  EXPECT_EQ(Refused(side->Write(Pairing("t", "d", "u"), marker)),
            Shown() + ": paired.(device_id, token, gateway_url) where slot = \"cli\" changed since it was "
                      "observed; not writing");
  EXPECT_EQ(Refused(side->Remove(marker)),
            Shown() + ": paired.(device_id, token, gateway_url) where slot = \"cli\" changed since it was "
                      "observed; not writing");
  EXPECT_EQ(cli.Count("audit"), "0");
}

TEST_F(SqliteRowRecordTest, RemoveSetsEveryMappedColumnToNullInOneUpdate) {
  CreatePairingDb();
  auto side = MakePairing();
  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());
  OtherProgram cli(Db());
  EXPECT_EQ(cli.Count("audit"), "1");
  EXPECT_EQ(cli.Text("SELECT count(*) FROM paired WHERE slot = 'cli' AND token IS NULL AND device_id IS NULL "
                     "AND gateway_url IS NULL AND note = 'keep me'"),
            "1");
  Observation after = side->Observe();
  EXPECT_EQ(after.state, State::kMissing);
  // Already removed: nothing is written.
  EXPECT_TRUE(side->Remove(after.marker).ok());
  EXPECT_EQ(cli.Count("audit"), "1");
}

TEST_F(SqliteRowRecordTest, RemoveRefusesWhenAMappedColumnIsNotNull) {
  CreatePairingDb("token TEXT, device_id TEXT NOT NULL DEFAULT 'x', gateway_url TEXT");
  auto side = MakePairing();
  EXPECT_EQ(Refused(side->Remove(side->Observe().marker)),
            Shown() + ": column paired.device_id is declared NOT NULL, so its value cannot be removed "
                      "(seam never deletes another program's row); not writing");
  EXPECT_EQ(OtherProgram(Db()).Count("audit"), "0");
}

}  // namespace
}  // namespace seam::testing
