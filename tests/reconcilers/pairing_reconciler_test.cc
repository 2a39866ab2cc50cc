// The record reconciler on the pairing kind: fold and judge field by field, driven by real
// sealed events.
#include <gtest/gtest.h>

#include "core/hash_chain.h"
#include "reconcilers/pairing/pairing_events.h"
#include "reconcilers/pairing/pairing_kind.h"
#include "reconcilers/record_state.h"

namespace seam::pairing {
namespace {

class PairingReconcilerTest : public ::testing::Test {
 protected:
  PairingReconcilerTest() : keys_(Secret(std::string(32, 'k'))) {}

  Event At(std::int64_t version, const char* type, std::string payload) {
    Event e;
    e.seq = version;
    e.stream = "pairing/device-42";
    e.version = version;
    e.type = type;
    e.time_us = 1000 * version;
    e.payload = std::move(payload);
    return e;
  }
  std::string Seal(const std::string& token, std::int64_t version) {
    return keys_.Seal(Secret(token), SealContext("pairing/device-42", version)).value();
  }
  Event Created(std::int64_t version, const std::string& device, const std::string& token) {
    return At(version, kPairingCreated,
              Encode(PairingSet{device, Seal(token, version), "http://gw", "2026-11-29T10:00:00Z", "", ""}));
  }
  Event Rotated(std::int64_t version, const std::string& token) {
    return At(version, kPairingTokenRotated, Encode(PairingTokenRotated{Seal(token, version)}));
  }
  static Observation Holds(std::map<std::string, std::string> fields) {
    Record r;
    for (auto& [k, v] : fields) r.emplace(k, Secret(v));
    return Observation::Value(std::move(r), ChangeMarker{"m"});
  }
  Judgement Judge(const RecordState& s, std::vector<std::string> fields, const Observation& o,
                  Transform t = Transform::kPlain) {
    return seam::Judge(s, SideShape{t, std::move(fields)}, o, keys_);
  }

  KeyRing keys_;
  const std::vector<std::string> kCli = {"device_id", "token", "gateway_url"};
};

TEST_F(PairingReconcilerTest, RotationKeepsTheOtherFieldsAndJudgesWholeRecords) {
  auto state = Fold(PairingKind(), {Created(1, "dev-42", "t1"), Rotated(2, "t2")}, keys_).value();
  ASSERT_TRUE(state.active());
  EXPECT_EQ(state.value.at("device_id").Reveal(), "dev-42");
  EXPECT_EQ(state.value.at("token").Reveal(), "t2");
  EXPECT_EQ(state.value.at("gateway_url").Reveal(), "http://gw");

  Judgement now = Judge(state, kCli, Holds({{"device_id", "dev-42"}, {"token", "t2"}, {"gateway_url", "http://gw"}}));
  EXPECT_EQ(now.verdict, Verdict::kInSync) << now.detail;
  EXPECT_EQ(now.fingerprint, keys_.Fingerprint(Secret(std::string("t2"))));

  Judgement old = Judge(state, kCli, Holds({{"device_id", "dev-42"}, {"token", "t1"}, {"gateway_url", "http://gw"}}));
  EXPECT_EQ(old.verdict, Verdict::kLagging);
  EXPECT_EQ(old.holds_version, 1);
}

// Rotations change only the token: their records share the pairing's other fields (one set
// kept, not one per event), and each old record still opens whole.
TEST_F(PairingReconcilerTest, RotationsShareTheOtherFieldsAndOldRecordsOpenWhole) {
  std::vector<Event> events = {Created(1, "dev-42", "t1")};
  for (std::int64_t v = 2; v <= 50; ++v) events.push_back(Rotated(v, "t" + std::to_string(v)));
  events.push_back(Created(51, "dev-43", "u51"));
  events.push_back(Rotated(52, "u52"));
  auto state = Fold(PairingKind(), events, keys_).value();
  ASSERT_EQ(state.history.size(), 52u);
  EXPECT_EQ(state.plain_sets.size(), 3u);  // none, dev-42's fields, dev-43's

  Result<Record> first = OpenRecord(state, state.history[0], keys_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->at("device_id").Reveal(), "dev-42");
  EXPECT_EQ(first->at("token").Reveal(), "t1");
  Result<Record> rotated = OpenRecord(state, state.history[29], keys_);
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(rotated->at("device_id").Reveal(), "dev-42");
  EXPECT_EQ(rotated->at("token").Reveal(), "t30");
  EXPECT_EQ(state.value.at("device_id").Reveal(), "dev-43");
  EXPECT_EQ(state.value.at("token").Reveal(), "u52");

  Judgement old = Judge(state, kCli, Holds({{"device_id", "dev-42"}, {"token", "t30"}, {"gateway_url", "http://gw"}}));
  EXPECT_EQ(old.verdict, Verdict::kLagging) << old.detail;
  EXPECT_EQ(old.holds_version, 30);
}

// Every event is decoded into one reused IntentChange: a pairing created without a token
// right after one with a token must not inherit it.
TEST_F(PairingReconcilerTest, AnEventWithoutATokenDoesNotKeepThePreviousEventsToken) {
  Event tokenless = At(2, kPairingCreated, Encode(PairingSet{"dev-43", "", "http://gw", "", "", ""}));
  auto state = Fold(PairingKind(), {Created(1, "dev-42", "t1"), tokenless}, keys_).value();
  ASSERT_EQ(state.history.size(), 2u);
  EXPECT_TRUE(state.history[1].sealed.empty());
  EXPECT_EQ(state.value.count("token"), 0u);
  EXPECT_EQ(state.value.at("device_id").Reveal(), "dev-43");
}

TEST_F(PairingReconcilerTest, ASideWithSomeFieldsRightIsForeignAndNamesTheFields) {
  auto state = Fold(PairingKind(), {Created(1, "dev-42", "t1")}, keys_).value();
  Judgement j = Judge(state, kCli, Holds({{"device_id", "dev-99"}, {"token", "t1"}, {"gateway_url", "http://gw"}}));
  EXPECT_EQ(j.verdict, Verdict::kForeign);
  EXPECT_NE(j.detail.find("field device_id differs"), std::string::npos) << j.detail;
  EXPECT_EQ(j.detail.find("dev-99"), std::string::npos) << "values are never in details";
}

TEST_F(PairingReconcilerTest, RightFieldsWithSomeAbsentIsMissingNamingThem) {
  auto state = Fold(PairingKind(), {Created(1, "dev-42", "t1")}, keys_).value();
  Judgement j = Judge(state, kCli, Holds({{"token", "t1"}}));
  EXPECT_EQ(j.verdict, Verdict::kMissing);
  EXPECT_NE(j.detail.find("lacks fields device_id, gateway_url"), std::string::npos) << j.detail;
}

TEST_F(PairingReconcilerTest, DigestSideComparesThePrimaryFieldThroughItsTransform) {
  auto state = Fold(PairingKind(), {Created(1, "dev-42", "t1"), Rotated(2, "t2")}, keys_).value();
  const std::vector<std::string> gateway = {"device_id", "token"};
  EXPECT_EQ(Judge(state, gateway, Holds({{"device_id", "dev-42"}, {"token", Sha256Hex("t2")}}),
                  Transform::kSha256Hex).verdict,
            Verdict::kInSync);
  Judgement lag = Judge(state, gateway, Holds({{"device_id", "dev-42"}, {"token", Sha256Hex("t1")}}),
                        Transform::kSha256Hex);
  EXPECT_EQ(lag.verdict, Verdict::kLagging);
  EXPECT_EQ(lag.holds_version, 1);
  EXPECT_EQ(lag.holds_revision, 1);
}

TEST_F(PairingReconcilerTest, RemovedPairingStillHeldIsLagging) {
  auto state = Fold(PairingKind(), {Created(1, "dev-42", "t1"),
                                    At(2, kPairingRemoved, Encode(PairingRemoved{"test"}))}, keys_).value();
  EXPECT_EQ(state.phase, RecordState::Phase::kRevoked);
  Judgement held = Judge(state, kCli, Holds({{"device_id", "dev-42"}, {"token", "t1"}, {"gateway_url", "http://gw"}}));
  EXPECT_EQ(held.verdict, Verdict::kLagging);
  EXPECT_NE(held.detail.find("removed at rev 2"), std::string::npos) << held.detail;
  EXPECT_EQ(Judge(state, kCli, Observation::Missing(ChangeMarker{"absent"})).verdict, Verdict::kInSync);
}

TEST_F(PairingReconcilerTest, RotationOfAnAbsentPairingIsCorruption) {
  auto state = Fold(PairingKind(), {Rotated(1, "t1")}, keys_);
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace seam::pairing
