// http-json: a side mapping several fields of a record (a pairing: token = "/token", device_id
// = "/device_id"): the field map's config checks, observing partial documents, and writing or
// removing every mapped field in one request.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tests/plugins/http_json/side_fixture.h"

namespace seam::testing {
namespace {

using State = Observation::State;
using nlohmann::json;

class HttpJsonRecordTest : public HttpJsonTest {
 protected:
  // `pointer` places token (line 12); the fields table places device_id (line 31).
  std::unique_ptr<Side> Pairing(std::uint16_t port, Keys extra = {}) {
    SideOptions o = PairingOptions({{"url", Url(port)}, {"pointer", "/token"}}, {{"device_id", "/device_id", 31}});
    int line = 13;
    for (const auto& [key, value] : extra) o.Set(key, OptionValue{value, line++});
    auto side = MakeHttpJsonSide(o);
    EXPECT_TRUE(side.ok()) << side.status().ToString();
    return side.ok() ? std::move(side).value() : nullptr;
  }
  static Record Both(const std::string& token, const std::string& device) {
    Record r;
    r.emplace("token", Secret(token));
    r.emplace("device_id", Secret(device));
    return r;
  }
};

const std::string kPaired = std::string(R"({"device_id":"d-42","token":")") + kSecret + R"(","keep":true})";

// --- config ----------------------------------------------------------------------------------

TEST_F(HttpJsonRecordTest, FieldsAreInKindOrderAndDescribeNamesEveryPointer) {
  auto side = Pairing(UnusedPort());
  ASSERT_NE(side, nullptr);
  EXPECT_EQ(side->Fields(), (std::vector<std::string>{"device_id", "token"}));
  EXPECT_TRUE(Contains(side->Describe(), "/res#{/device_id, /token}")) << side->Describe();
  // The fields table alone may place every field, the primary one included.
  auto table_only = MakePairing({{"url", "http://h/x"}},
                                {{"token", "/auth/token", 31}, {"gateway_url", "/gw", 32}});
  ASSERT_NE(table_only, nullptr);
  EXPECT_EQ(table_only->Fields(), (std::vector<std::string>{"token", "gateway_url"}));
}

TEST_F(HttpJsonRecordTest, BadPointerInTheFieldsTableNamesItsLine) {
  EXPECT_EQ(PairingError({{"url", "http://h/x"}, {"pointer", "/token"}}, {{"device_id", "device_id", 31}}),
            "seam.toml:31: seam `device-token` side `gateway`: key `fields.device_id` must be an RFC 6901 JSON "
            "pointer starting with \"/\", got \"device_id\"");
  std::string e = PairingError({{"url", "http://h/x"}}, {{"token", "/a~2", 33}});
  EXPECT_TRUE(Contains(e, "seam.toml:33: seam `device-token` side `gateway`: key `fields.token` has a `~`")) << e;
}

TEST_F(HttpJsonRecordTest, DuplicateOrOverlappingPointersAreRefusedNamingTheLine) {
  EXPECT_EQ(PairingError({{"url", "http://h/x"}, {"pointer", "/token"}}, {{"device_id", "/token", 31}}),
            "seam.toml:12: seam `device-token` side `gateway`: key `pointer` points at the same member as "
            "`fields.device_id` (line 31); each field needs a member of its own");
  EXPECT_EQ(PairingError({{"url", "http://h/x"}, {"pointer", "/pairing/token"}}, {{"device_id", "/pairing", 31}}),
            "seam.toml:12: seam `device-token` side `gateway`: key `pointer` (\"/pairing/token\") overlaps "
            "`fields.device_id` (\"/pairing\", line 31): one member would be inside the other");
  EXPECT_EQ(PairingError({{"url", "http://h/x"}}, {{"device_id", "/a", 31}, {"gateway_url", "/a/b", 32}}),
            "seam.toml:32: seam `device-token` side `gateway`: key `fields.gateway_url` (\"/a/b\") overlaps "
            "`fields.device_id` (\"/a\", line 31): one member would be inside the other");
  // A common prefix is fine as long as neither member holds the other.
  EXPECT_NE(MakePairing({{"url", "http://h/x"}}, {{"device_id", "/a/id", 31}, {"token", "/a/idx", 32}}), nullptr);
}

TEST_F(HttpJsonRecordTest, FieldMapErrorsOfTheOptionsNameTheLine) {
  std::string e = PairingError({{"url", "http://h/x"}, {"pointer", "/token"}}, {{"owner", "/owner", 34}});
  EXPECT_TRUE(Contains(e, "seam.toml:34:")) << e;
  EXPECT_TRUE(Contains(e, "kind `pairing` has no field `owner`")) << e;
  e = PairingError({{"url", "http://h/x"}, {"pointer", "/token"}}, {{"token", "/t", 31}});
  EXPECT_TRUE(Contains(e, "seam.toml:12:")) << e;
  EXPECT_TRUE(Contains(e, "keep one")) << e;
}

// --- observe ---------------------------------------------------------------------------------

TEST_F(HttpJsonRecordTest, ObservesEveryMappedFieldWithOneGet) {
  JsonResource res(kPaired);
  TestServer server(res.Handler());
  Observation o = Pairing(server.port())->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  EXPECT_EQ(o.fields.size(), 2u);
  EXPECT_EQ(FieldText(o), kSecret);
  EXPECT_EQ(FieldText(o, "device_id"), "d-42");
  EXPECT_EQ(server.Requests().size(), 1u);
}

TEST_F(HttpJsonRecordTest, AbsentOrNullMembersAreAbsentFieldsAndNoneIsMissing) {
  JsonResource res(R"({"device_id":"d-42","token":null})");
  TestServer server(res.Handler());
  auto side = Pairing(server.port());
  Observation partial = side->Observe();
  ASSERT_EQ(partial.state, State::kValue) << partial.reason;
  EXPECT_EQ(FieldText(partial), "<absent>");
  EXPECT_EQ(FieldText(partial, "device_id"), "d-42");
  res.Set(R"({"token":"t-1"})");
  Observation token_only = side->Observe();
  ASSERT_EQ(token_only.state, State::kValue) << token_only.reason;
  EXPECT_EQ(FieldText(token_only), "t-1");
  EXPECT_EQ(FieldText(token_only, "device_id"), "<absent>");
  res.Set(R"({"device_id":null,"other":"x"})");
  EXPECT_EQ(side->Observe().state, State::kMissing);
  res.Set(std::nullopt);
  EXPECT_EQ(side->Observe().state, State::kMissing);
}

TEST_F(HttpJsonRecordTest, AnUnreadableMemberNamesItsPointer) {
  JsonResource res(std::string(R"({"device_id":42,"token":")") + kSecret + "\"}");
  TestServer server(res.Handler());
  auto side = Pairing(server.port());
  EXPECT_EQ(Unreadable(*side), "GET " + Url(server.port()) + ": value at /device_id is a number, not a string");
  res.Set(R"({"device_id":"d","token":["x"]})");
  EXPECT_EQ(Unreadable(*side), "GET " + Url(server.port()) + ": value at /token is an array, not a string");
}

// --- write / remove --------------------------------------------------------------------------

TEST_F(HttpJsonRecordTest, WriteSendsEveryPresentFieldInOnePut) {
  JsonResource res(kPaired);
  TestServer server(res.Handler());
  auto side = Pairing(server.port());
  Record record = Both("new-token", "d-43");
  record.emplace("paired_at", Secret(std::string("1700000000")));  // not mapped: ignored
  Status s = side->Write(record, side->Observe().marker);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(server.Writes(), 1u);
  RecordedRequest put = server.Requests().back();
  EXPECT_EQ(put.method, "PUT");
  EXPECT_EQ(put.Header("if-match"), "\"v1\"");
  EXPECT_EQ(json::parse(put.body), json::parse(R"({"device_id":"d-43","token":"new-token","keep":true})"));
  Observation after = side->Observe();
  ASSERT_EQ(after.state, State::kValue) << after.reason;
  EXPECT_EQ(FieldText(after), "new-token");
  EXPECT_EQ(FieldText(after, "device_id"), "d-43");
}

TEST_F(HttpJsonRecordTest, WriteLeavesMappedFieldsAbsentFromTheRecordAlone) {
  JsonResource res(kPaired);
  TestServer server(res.Handler());
  auto side = Pairing(server.port());
  ASSERT_TRUE(side->Write(OneField("d-99", "device_id"), side->Observe().marker).ok());
  EXPECT_EQ(json::parse(*res.body()),
            json::parse(std::string(R"({"device_id":"d-99","token":")") + kSecret + R"(","keep":true})"));
  // A record holding none of the mapped fields sends nothing.
  ASSERT_TRUE(side->Write(OneField("x", "gateway_url"), side->Observe().marker).ok());
  EXPECT_EQ(server.Writes(), 1u);
}

TEST_F(HttpJsonRecordTest, WriteAfter404CreatesEveryFieldWithOnePost) {
  JsonResource res(std::nullopt);
  TestServer server(res.Handler());
  auto side = Pairing(server.port(), {{"method", "POST"}});
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kMissing);
  ASSERT_TRUE(side->Write(Both("t-new", "d-new"), o.marker).ok());
  EXPECT_EQ(server.Writes(), 1u);
  EXPECT_EQ(server.Requests().back().method, "POST");
  EXPECT_EQ(server.Requests().back().Header("if-none-match"), "*");
  EXPECT_EQ(json::parse(*res.body()), json::parse(R"({"device_id":"d-new","token":"t-new"})"));
}

TEST_F(HttpJsonRecordTest, WriteRefusesWhenTheDocumentChangedOrAMemberCannotBeSet) {
  JsonResource res(kPaired);
  TestServer server(res.Handler());
  auto side = Pairing(server.port());
  ChangeMarker m = side->Observe().marker;
  res.Set(R"({"device_id":{"nested":1},"token":"t"})");
  EXPECT_EQ(side->Write(Both("a", "b"), m).message(), Url(server.port()) + " changed since it was observed; not writing");
  Status s = side->Write(Both("a", "b"), side->Observe().marker);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "GET " + Url(server.port()) + ": value at /device_id is an object, not a string; not writing");
  EXPECT_EQ(server.Writes(), 0u);
}

TEST_F(HttpJsonRecordTest, RemoveWithNullWritesNullAtEveryPointerInOneRequest) {
  JsonResource res(kPaired);
  TestServer server(res.Handler());
  auto side = Pairing(server.port(), {{"remove", "null"}});
  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());
  EXPECT_EQ(server.Writes(), 1u);
  EXPECT_EQ(server.Requests().back().method, "PUT");
  EXPECT_EQ(json::parse(*res.body()), json::parse(R"({"device_id":null,"token":null,"keep":true})"));
  Observation after = side->Observe();
  EXPECT_EQ(after.state, State::kMissing);
  EXPECT_TRUE(side->Remove(after.marker).ok());  // already removed: nothing sent
  EXPECT_EQ(server.Writes(), 1u);
  // One field left: it alone becomes null; an absent member stays absent.
  res.Set(R"({"token":"t"})");
  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());
  EXPECT_EQ(json::parse(*res.body()), json::parse(R"({"token":null})"));
}

TEST_F(HttpJsonRecordTest, RemoveWithDeleteSendsOneDeleteUnlessEverythingIsAbsent) {
  JsonResource res(R"({"device_id":"d-42"})");
  TestServer server(res.Handler());
  auto side = Pairing(server.port());
  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());
  EXPECT_EQ(server.Writes(), 1u);
  EXPECT_EQ(server.Requests().back().method, "DELETE");
  EXPECT_FALSE(res.body().has_value());
  res.Set(R"({"device_id":null,"other":1})");
  ASSERT_TRUE(side->Remove(side->Observe().marker).ok());
  EXPECT_EQ(server.Writes(), 1u);
}

}  // namespace
}  // namespace seam::testing
