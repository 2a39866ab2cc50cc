// http-json `restart_marker`: the config checks, what Observe reports (the marker's text and the
// start time it tells) against a real HTTP server on 127.0.0.1, and that writes leave the member
// as fetched.
#include <nlohmann/json.hpp>

#include "plugins/http_json/restart_marker.h"
#include "tests/plugins/http_json/side_fixture.h"

namespace seam::testing {
namespace {

using State = Observation::State;
using nlohmann::json;

constexpr std::int64_t kSecondUs = 1'000'000;
// 2026-11-29T20:50:22Z
constexpr std::int64_t kStartSeconds = 1795985422;

// --- the start time a marker tells -----------------------------------------------------------

TEST(RestartMarkerTimeTest, ParsesRfc3339AndUnixSeconds) {
  EXPECT_EQ(ParseStartTimeUs("2026-11-29T20:50:22Z"), kStartSeconds * kSecondUs);
  EXPECT_EQ(ParseStartTimeUs("2026-11-29t20:50:22z"), kStartSeconds * kSecondUs);
  EXPECT_EQ(ParseStartTimeUs("2026-11-29T20:50:22.5Z"), kStartSeconds * kSecondUs + 500'000);
  EXPECT_EQ(ParseStartTimeUs("2026-11-29T20:50:22.123456789Z"), kStartSeconds * kSecondUs + 123'456);
  EXPECT_EQ(ParseStartTimeUs("2026-11-29T22:50:22+02:00"), kStartSeconds * kSecondUs);
  EXPECT_EQ(ParseStartTimeUs("2026-11-29T15:20:22.25-05:30"), kStartSeconds * kSecondUs + 250'000);
  EXPECT_EQ(ParseStartTimeUs("2024-02-29T00:00:00Z"), 1709164800 * kSecondUs);
  EXPECT_EQ(ParseStartTimeUs("2016-12-31T23:59:60Z"), (1483228799 + 1) * kSecondUs);  // leap second
  EXPECT_EQ(ParseStartTimeUs("1795985422"), kStartSeconds * kSecondUs);
}

TEST(RestartMarkerTimeTest, AnythingElseTellsNoTime) {
  for (const char* text : {"", "abc", "2026-11-29T20:50:22", "2026-11-29 20:50:22Z", "2026-11-29T20:50Z",
                           "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-29T24:00:00Z",
                           "2026-11-29T20:50:22.Z", "2026-11-29T20:50:22+2:00", "2026-11-29T20:50:22+24:00",
                           "2026-11-29T20:50:22Zjunk", "179598542", "17959854220", "17959854a2",
                           "0000000000", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "+795985422"}) {
    EXPECT_EQ(ParseStartTimeUs(text), std::nullopt) << text;
  }
}

// --- config ----------------------------------------------------------------------------------

TEST_F(HttpJsonTest, RestartMarkerMustBeAPointerNamingItsLine) {
  std::string e = FactoryError({{"url", "http://h/x"}, {"pointer", "/token"}, {"restart_marker", "boot_id"}});
  EXPECT_EQ(e, "seam.toml:13: seam `device-token` side `gateway`: key `restart_marker` must be an RFC 6901 "
               "JSON pointer starting with \"/\", got \"boot_id\"");
  e = FactoryError({{"url", "http://h/x"}, {"pointer", "/token"}, {"restart_marker", "/a~2"}});
  EXPECT_TRUE(Contains(e, "seam.toml:13: seam `device-token` side `gateway`: key `restart_marker` has a `~`")) << e;
  e = FactoryError({{"url", "http://h/x"}, {"pointer", "/token"}, {"restart_marker", ""}});
  EXPECT_TRUE(Contains(e, "seam.toml:13: seam `device-token` side `gateway`: key `restart_marker` is empty")) << e;
  EXPECT_EQ(Make({{"url", "http://h/x"}, {"pointer", "/token"}, {"restart_marker", "/run/boot~1id"}})->Describe(),
            "http-json http://h/x#/token");
}

TEST_F(HttpJsonTest, RestartMarkerMayNotShareOrOverlapAFieldsMember) {
  std::string e = FactoryError({{"url", "http://h/x"}, {"pointer", "/auth/token"}, {"restart_marker", "/auth/token"}});
  EXPECT_EQ(e, "seam.toml:13: seam `device-token` side `gateway`: key `restart_marker` (\"/auth/token\") points "
               "at the same member as `pointer` (\"/auth/token\", line 12); the marker needs a member of its own");
  e = FactoryError({{"url", "http://h/x"}, {"pointer", "/auth/token"}, {"restart_marker", "/auth"}});
  EXPECT_EQ(e, "seam.toml:13: seam `device-token` side `gateway`: key `restart_marker` (\"/auth\") overlaps "
               "`pointer` (\"/auth/token\", line 12): one member would be inside the other");
  e = FactoryError({{"url", "http://h/x"}, {"pointer", "/auth"}, {"restart_marker", "/auth/boot"}});
  EXPECT_TRUE(Contains(e, "seam.toml:13:")) << e;
  EXPECT_TRUE(Contains(e, "key `restart_marker` (\"/auth/boot\") overlaps `pointer`")) << e;
  // Against a field of the `fields` table: the field's own line.
  e = PairingError({{"url", "http://h/x"}, {"restart_marker", "/device"}},
                   {{"token", "/token", 31}, {"device_id", "/device/id", 32}});
  EXPECT_TRUE(Contains(e, "seam.toml:12: seam `device-token` side `gateway`: key `restart_marker` (\"/device\") "
                          "overlaps `fields.device_id` (\"/device/id\", line 32)")) << e;
  // A sibling member is fine.
  EXPECT_NE(MakePairing({{"url", "http://h/x"}, {"restart_marker", "/device/boot_id"}},
                        {{"token", "/token", 31}, {"device_id", "/device/id", 32}}),
            nullptr);
}

// --- observe ---------------------------------------------------------------------------------

TEST_F(HttpJsonTest, RestartMarkerIsTheStringOrNumberAtItsPointer) {
  JsonResource res(R"({"token":"t","boot_id":"b-7f3e","started_at":"not a time"})");
  TestServer server(res.Handler());
  std::string url = Url(server.port());
  auto side = Make({{"url", url}, {"pointer", "/token"}, {"restart_marker", "/boot_id"}});
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o), "t");
  EXPECT_EQ(o.restart_marker, "b-7f3e");
  EXPECT_EQ(o.changed_at_us, 0);  // not a time

  res.Set(R"({"token":"t","boot_id":123456})");
  o = side->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  EXPECT_EQ(o.restart_marker, "123456");
  EXPECT_EQ(o.changed_at_us, 0);  // not ten digits
  res.Set(R"({"token":"t","boot_id":-42})");
  EXPECT_EQ(side->Observe().restart_marker, "-42");
  res.Set(R"({"token":"t","boot_id":1.5})");
  EXPECT_EQ(side->Observe().restart_marker, "1.5");

  // A nested member, and no mapped field present: missing, with the marker all the same.
  auto nested = Make({{"url", url}, {"pointer", "/auth/token"}, {"restart_marker", "/run/boot~1id"}});
  res.Set(R"({"run":{"boot/id":"r-9"}})");
  o = nested->Observe();
  ASSERT_EQ(o.state, State::kMissing) << o.reason;
  EXPECT_EQ(o.restart_marker, "r-9");
  EXPECT_EQ(server.Writes(), 0u);
}

TEST_F(HttpJsonTest, RestartMarkerIsEmptyWhenAbsentNullOrNotFound) {
  JsonResource res(R"({"token":"t"})");
  TestServer server(res.Handler());
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}, {"restart_marker", "/run/boot_id"}});
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  EXPECT_EQ(o.restart_marker, "");
  EXPECT_EQ(o.changed_at_us, 0);
  res.Set(R"({"token":"t","run":{}})");
  EXPECT_EQ(side->Observe().restart_marker, "");
  res.Set(R"({"token":"t","run":{"boot_id":null}})");
  o = side->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  EXPECT_EQ(o.restart_marker, "");
  res.Set(std::nullopt);
  o = side->Observe();
  ASSERT_EQ(o.state, State::kMissing) << o.reason;
  EXPECT_EQ(o.restart_marker, "");
  // A side without the key reports none even when the response has one.
  res.Set(R"({"token":"t","run":{"boot_id":"b-1"}})");
  EXPECT_EQ(Make({{"url", Url(server.port())}, {"pointer", "/token"}})->Observe().restart_marker, "");
}

// A 404 with a JSON body may still say which run answered: a removal in this run can then be
// told from a server restored from a backup (may_revoke). A 404 without one has no marker.
TEST_F(HttpJsonTest, ANotFoundWithAJsonBodyKeepsItsRestartMarker) {
  std::string body = R"({"error":"no pairing","started_at":"2026-11-29T20:50:22Z"})";
  TestServer server([&body](const RecordedRequest&) { return Reply{404, body, {{"Content-Type", "application/json"}}}; });
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}, {"restart_marker", "/started_at"}});
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kMissing) << o.reason;
  EXPECT_TRUE(o.answered_absent);
  EXPECT_EQ(o.restart_marker, "2026-11-29T20:50:22Z");
  EXPECT_EQ(o.changed_at_us, kStartSeconds * kSecondUs);
  body = "not json";
  o = side->Observe();
  ASSERT_EQ(o.state, State::kMissing) << o.reason;
  EXPECT_TRUE(o.answered_absent);
  EXPECT_EQ(o.restart_marker, "");
}

TEST_F(HttpJsonTest, RestartMarkerThatIsATimeIsWhenTheComponentStarted) {
  JsonResource res(R"({"token":"t","started_at":"2026-11-29T20:50:22Z"})");
  TestServer server(res.Handler());
  auto side = Make({{"url", Url(server.port())}, {"pointer", "/token"}, {"restart_marker", "/started_at"}});
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  EXPECT_EQ(o.restart_marker, "2026-11-29T20:50:22Z");
  EXPECT_EQ(o.changed_at_us, kStartSeconds * kSecondUs);
  res.Set(R"({"token":"t","started_at":"2026-11-29T22:50:22.125+02:00"})");
  EXPECT_EQ(side->Observe().changed_at_us, kStartSeconds * kSecondUs + 125'000);
  // Unix seconds, as a number or a string.
  res.Set(R"({"token":"t","started_at":1795985422})");
  o = side->Observe();
  EXPECT_EQ(o.restart_marker, "1795985422");
  EXPECT_EQ(o.changed_at_us, kStartSeconds * kSecondUs);
  res.Set(R"({"token":"t","started_at":"1795985423"})");
  EXPECT_EQ(side->Observe().changed_at_us, (kStartSeconds + 1) * kSecondUs);
  // Also when the side holds no mapped field.
  res.Set(R"({"started_at":"2026-11-29T20:50:22Z"})");
  o = side->Observe();
  ASSERT_EQ(o.state, State::kMissing) << o.reason;
  EXPECT_EQ(o.changed_at_us, kStartSeconds * kSecondUs);
}

TEST_F(HttpJsonTest, RestartMarkerOfAnotherKindIsUnreadableNamingThePointer) {
  JsonResource res(std::string(R"({"token":")") + kSecret + R"(","run":{"secret":")" + kSecret + R"("}})");
  TestServer server(res.Handler());
  std::string url = Url(server.port());
  auto side = Make({{"url", url}, {"pointer", "/token"}, {"restart_marker", "/run"}});
  EXPECT_EQ(Unreadable(*side), "GET " + url + ": restart_marker /run is an object, not a string or number");
  res.Set(R"({"token":"t","run":["b-1"]})");
  EXPECT_EQ(Unreadable(*side), "GET " + url + ": restart_marker /run is an array, not a string or number");
  res.Set(R"({"token":"t","run":true})");
  EXPECT_EQ(Unreadable(*side), "GET " + url + ": restart_marker /run is a boolean, not a string or number");
  auto deep = Make({{"url", url}, {"pointer", "/token"}, {"restart_marker", "/run/boot_id"}});
  res.Set(R"({"token":"t","run":"b-1"})");
  EXPECT_EQ(Unreadable(*deep), "GET " + url + ": restart_marker /run/boot_id: /run is a string, not an object");
  // The change marker is kept, as for a field that cannot be read.
  Observation o = deep->Observe();
  EXPECT_FALSE(o.marker.opaque.empty());
  EXPECT_EQ(server.Writes(), 0u);
}

TEST_F(HttpJsonTest, RestartMarkerTooLongOrNotPrintableIsUnreadableWithoutTheValue) {
  Reply reply;
  TestServer server([&reply](const RecordedRequest&) { return reply; });
  std::string url = Url(server.port());
  auto side = Make({{"url", url}, {"pointer", "/token"}, {"restart_marker", "/boot_id"}});
  const std::string huge = kSecret + std::string(300, 'x');
  reply = Reply{200, json{{"token", "t"}, {"boot_id", huge}}.dump(), {}, false};
  std::string reason = Unreadable(*side);
  EXPECT_EQ(reason, "GET " + url + ": restart_marker /boot_id is " + std::to_string(huge.size()) +
                        " bytes, over the 256 a marker may have");
  reply = Reply{200, json{{"token", "t"}, {"boot_id", std::string(256, 'y')}}.dump(), {}, false};
  EXPECT_EQ(side->Observe().restart_marker, std::string(256, 'y'));  // at the limit: fine
  for (const std::string& bad : {std::string(kSecret) + "\n", std::string(kSecret) + "\x01",
                                 std::string(kSecret) + "\x7f", std::string(kSecret) + "\xc3\xa9"}) {
    reply = Reply{200, json{{"token", "t"}, {"boot_id", bad}}.dump(), {}, false};
    EXPECT_EQ(Unreadable(*side), "GET " + url + ": restart_marker /boot_id holds a character that is not printable ASCII");
  }
}

// --- writes ----------------------------------------------------------------------------------

TEST_F(HttpJsonTest, WriteAfterObservingAMarkerSendsTheMarkerBackAsFetched) {
  const std::string doc =
      R"({"device_id":"d-42","token":"old","boot_id":"b-1","started_at":"2026-11-29T20:50:22Z","n":7})";
  JsonResource res(doc);
  TestServer server(res.Handler());
  auto side = MakePairing({{"url", Url(server.port())}, {"restart_marker", "/boot_id"}},
                          {{"token", "/token", 31}, {"device_id", "/device_id", 32}});
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  EXPECT_EQ(o.restart_marker, "b-1");
  Record record = OneField("new-token-value");
  ASSERT_TRUE(side->Write(record, o.marker).ok());
  auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 3u);  // observe, the write's GET, PUT
  EXPECT_EQ(requests[2].method, "PUT");
  EXPECT_EQ(json::parse(requests[2].body),
            json::parse(R"({"device_id":"d-42","token":"new-token-value","boot_id":"b-1",)"
                        R"("started_at":"2026-11-29T20:50:22Z","n":7})"));
  Observation after = side->Observe();
  ASSERT_EQ(after.state, State::kValue) << after.reason;
  EXPECT_EQ(FieldText(after), "new-token-value");
  EXPECT_EQ(after.restart_marker, "b-1");
  // Remove with null: the marker stays too.
  auto nulling = Make({{"url", Url(server.port())}, {"pointer", "/token"}, {"restart_marker", "/boot_id"},
                       {"remove", "null"}});
  ASSERT_TRUE(nulling->Remove(nulling->Observe().marker).ok());
  EXPECT_EQ(json::parse(*res.body())["boot_id"], "b-1");
  EXPECT_EQ(json::parse(*res.body())["token"], nullptr);
}

}  // namespace
}  // namespace seam::testing
