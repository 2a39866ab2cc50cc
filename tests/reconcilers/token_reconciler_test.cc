// Fold and judge: pure logic, driven by real sealed events.
#include "reconcilers/record_state.h"
#include "reconcilers/token/token_kind.h"

#include <gtest/gtest.h>

#include <optional>

#include "core/hash_chain.h"
#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/token/token_events.h"
#include "tests/support/records.h"

namespace seam::token {
namespace {

using bookkeeping::DecodeSideRepaired;
using bookkeeping::kSideRepaired;
using bookkeeping::SideRepaired;

class TokenReconcilerTest : public ::testing::Test {
 protected:
  TokenReconcilerTest() : keys_(Secret(std::string(32, 'k'))) {}

  Event ValueEvent(const char* type, std::int64_t version, const std::string& value) {
    Event e;
    e.seq = version;
    e.stream = "token/device-42";
    e.version = version;
    e.type = type;
    e.time_us = 1000 * version;
    e.actor = "test";
    TokenValueSet p;
    p.sealed_value = keys_.Seal(Secret(value), SealContext(e.stream, version)).value();
    e.payload = Encode(p);
    return e;
  }
  Event Revoked(std::int64_t version) {
    Event e;
    e.seq = version;
    e.stream = "token/device-42";
    e.version = version;
    e.type = kTokenRevoked;
    e.payload = Encode(TokenRevoked{"test"});
    return e;
  }
  Event Repaired(std::int64_t version) {
    Event e;
    e.seq = version;
    e.stream = "token/device-42";
    e.version = version;
    e.type = kSideRepaired;
    e.payload = bookkeeping::Encode(SideRepaired{"cli", 1, "write", "lagging", 1, "", ""});
    return e;
  }
  static Observation Holds(const std::string& v) {
    return Observation::Value(testing::OneField(v), ChangeMarker{"m"});
  }
  static Result<RecordState> Fold(const std::vector<Event>& events, const KeyRing& keys) {
    return seam::Fold(TokenKind(), events, keys);
  }
  static Judgement Judge(const RecordState& s, Transform t, const Observation& o, const KeyRing& keys) {
    return seam::Judge(s, SideShape{t, {"token"}}, o, keys);
  }

  KeyRing keys_;
};

TEST_F(TokenReconcilerTest, FoldTracksCurrentValueAndHistory) {
  auto state = Fold({ValueEvent(kTokenIssued, 1, "one"), Repaired(2), ValueEvent(kTokenRotated, 3, "three")}, keys_);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_TRUE(state->active());
  EXPECT_EQ(state->stream_version, 3);
  EXPECT_EQ(state->current_version, 3);
  EXPECT_EQ(state->value.at("token").Reveal(), "three");
  ASSERT_EQ(state->history.size(), 2u);
  EXPECT_EQ(state->history[0].version, 1);
}

// Thousands of records: their sealed values span many blocks (SealedBlocks), and an old one is
// still recognised, as is a copy of the state after the original is gone.
TEST_F(TokenReconcilerTest, ALongStreamStillKnowsItsOldestValues) {
  std::vector<Event> events;
  events.push_back(ValueEvent(kTokenIssued, 1, "value-1"));
  for (std::int64_t v = 2; v <= 3000; ++v) events.push_back(ValueEvent(kTokenRotated, v, "value-" + std::to_string(v)));
  std::optional<RecordState> copy;
  {
    auto state = Fold(events, keys_);
    ASSERT_TRUE(state.ok()) << state.status().ToString();
    EXPECT_EQ(state->value.at("token").Reveal(), "value-3000");
    copy = *state;
  }
  const Judgement oldest = Judge(*copy, Transform::kPlain, Holds("value-1"), keys_);
  EXPECT_EQ(oldest.verdict, Verdict::kLagging);
  EXPECT_EQ(oldest.holds_version, 1);
  const Judgement middle = Judge(*copy, Transform::kPlain, Holds("value-1777"), keys_);
  EXPECT_EQ(middle.holds_version, 1777);
  EXPECT_EQ(Judge(*copy, Transform::kPlain, Holds("value-3000"), keys_).verdict, Verdict::kInSync);
}

TEST_F(TokenReconcilerTest, BookkeepingEventsAdvanceStreamVersionOnly) {
  auto state = Fold({ValueEvent(kTokenIssued, 1, "one"), Repaired(2)}, keys_);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->stream_version, 2);
  EXPECT_EQ(state->current_version, 1);
}

TEST_F(TokenReconcilerTest, SealedValueMovedToAnotherVersionDoesNotOpen) {
  Event e = ValueEvent(kTokenIssued, 1, "one");
  e.version = 2;  // the associated data no longer matches
  auto state = Fold({e}, keys_);
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.status().code(), StatusCode::kCorruption);
  EXPECT_NE(state.status().message().find("token/device-42 version 2"), std::string::npos);
}

TEST_F(TokenReconcilerTest, OlderValueThatDoesNotOpenMakesTheVerdictUnreadable) {
  Event bad = ValueEvent(kTokenIssued, 1, "one");
  bad.payload = Encode(TokenValueSet{std::string(40, 'x')});  // sealed bytes that never open
  auto state = Fold({bad, ValueEvent(kTokenRotated, 2, "two")}, keys_);
  ASSERT_TRUE(state.ok()) << "older values are opened only when compared";
  EXPECT_EQ(Judge(*state, Transform::kPlain, Holds("two"), keys_).verdict, Verdict::kInSync);
  Judgement j = Judge(*state, Transform::kPlain, Holds("something-else"), keys_);
  EXPECT_EQ(j.verdict, Verdict::kUnreadable);
  EXPECT_NE(j.detail.find("version 1"), std::string::npos) << j.detail;
}

TEST_F(TokenReconcilerTest, ApplyAloneLeavesTheValueClosedUntilOpenCurrent) {
  RecordState state(TokenKind());
  ASSERT_TRUE(Apply(state, ValueEvent(kTokenIssued, 1, "one")).ok());
  EXPECT_TRUE(state.active());
  EXPECT_TRUE(state.value.empty());
  ASSERT_TRUE(OpenCurrent(state, keys_).ok());
  EXPECT_EQ(state.value.at("token").Reveal(), "one");
  EXPECT_EQ(state.value_version, 1);
}

TEST_F(TokenReconcilerTest, GarbagePayloadIsCorruption) {
  Event e = ValueEvent(kTokenIssued, 1, "one");
  e.payload = "\x01\x02";
  auto state = Fold({e}, keys_);
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.status().code(), StatusCode::kCorruption);
}

TEST_F(TokenReconcilerTest, JudgeNamesLaggingVersionAndForeignValues) {
  auto state = Fold({ValueEvent(kTokenIssued, 1, "one"), ValueEvent(kTokenRotated, 2, "two")}, keys_).value();
  Judgement in_sync = Judge(state, Transform::kPlain, Holds("two"), keys_);
  EXPECT_EQ(in_sync.verdict, Verdict::kInSync);
  EXPECT_EQ(in_sync.holds_version, 2);
  EXPECT_EQ(in_sync.fingerprint, keys_.Fingerprint(Secret(std::string("two"))));

  Judgement lagging = Judge(state, Transform::kPlain, Holds("one"), keys_);
  EXPECT_EQ(lagging.verdict, Verdict::kLagging);
  EXPECT_EQ(lagging.holds_version, 1);

  Judgement foreign = Judge(state, Transform::kPlain, Holds("zzz"), keys_);
  EXPECT_EQ(foreign.verdict, Verdict::kForeign);
  EXPECT_EQ(foreign.holds_version, 0);
  EXPECT_EQ(foreign.detail.find("zzz"), std::string::npos);
}

TEST_F(TokenReconcilerTest, JudgeComparesThroughTheSideTransform) {
  auto state = Fold({ValueEvent(kTokenIssued, 1, "one"), ValueEvent(kTokenRotated, 2, "two")}, keys_).value();
  EXPECT_EQ(Judge(state, Transform::kSha256Hex, Holds(Sha256Hex("two")), keys_).verdict, Verdict::kInSync);
  Judgement lag = Judge(state, Transform::kSha256Hex, Holds(Sha256Hex("one")), keys_);
  EXPECT_EQ(lag.verdict, Verdict::kLagging);
  EXPECT_EQ(lag.fingerprint, keys_.Fingerprint(Secret(std::string("one"))));
  // The plaintext on a digest side is not the digest: foreign.
  EXPECT_EQ(Judge(state, Transform::kSha256Hex, Holds("two"), keys_).verdict, Verdict::kForeign);
}

TEST_F(TokenReconcilerTest, MissingAndUnreadable) {
  auto active = Fold({ValueEvent(kTokenIssued, 1, "one")}, keys_).value();
  EXPECT_EQ(Judge(active, Transform::kPlain, Observation::Missing(ChangeMarker{"absent"}), keys_).verdict,
            Verdict::kMissing);
  Judgement bad = Judge(active, Transform::kPlain, Observation::Unreadable("cli.json: permission denied"), keys_);
  EXPECT_EQ(bad.verdict, Verdict::kUnreadable);
  EXPECT_EQ(bad.detail, "cli.json: permission denied");

  RecordState unset(TokenKind());
  EXPECT_EQ(Judge(unset, Transform::kPlain, Observation::Missing(ChangeMarker{"absent"}), keys_).verdict,
            Verdict::kInSync);
  EXPECT_EQ(Judge(unset, Transform::kPlain, Holds("x"), keys_).verdict, Verdict::kForeign);
}

TEST_F(TokenReconcilerTest, RevokedTokenStillHeldIsLaggingAndAbsenceIsInSync) {
  auto state = Fold({ValueEvent(kTokenIssued, 1, "one"), Revoked(2)}, keys_).value();
  EXPECT_EQ(state.phase, RecordState::Phase::kRevoked);
  Judgement held = Judge(state, Transform::kPlain, Holds("one"), keys_);
  EXPECT_EQ(held.verdict, Verdict::kLagging);
  EXPECT_EQ(held.holds_version, 1);
  EXPECT_EQ(Judge(state, Transform::kPlain, Observation::Missing(ChangeMarker{"absent"}), keys_).verdict,
            Verdict::kInSync);
}

TEST_F(TokenReconcilerTest, NewTokenIsBase64UrlOf32Bytes) {
  Secret a = NewTokenValue().value();
  Secret b = NewTokenValue().value();
  EXPECT_EQ(a.size(), 43u);
  EXPECT_FALSE(a.Equals(b));
  for (char c : a.Reveal()) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
}

// Little-endian bytes of a cereal portable-binary integer, and a length-prefixed string.
std::string U32(std::uint32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); }
std::string I64(std::int64_t v) { return std::string(reinterpret_cast<const char*>(&v), 8); }
std::string Str(const std::string& s) { return I64(static_cast<std::int64_t>(s.size())) + s; }

TEST_F(TokenReconcilerTest, PayloadEncodingIsStable) {
  // Pins the cereal portable-binary layout: changing it breaks old logs.
  SideRepaired p{"cli", 3, "write", "lagging", 1, "fp:0123456789ab", "sealed"};
  std::string bytes = Encode(p);
  auto back = DecodeSideRepaired(bytes).value();
  EXPECT_EQ(back.side, "cli");
  EXPECT_EQ(back.version_written, 3);
  EXPECT_EQ(back.fingerprint_before, "fp:0123456789ab");
  EXPECT_EQ(back.sealed_before, "sealed");
  // 1 byte endianness flag, u32 class version (2), then the members in order.
  EXPECT_EQ(bytes, "\x01" + U32(2) + Str("cli") + I64(3) + Str("write") + Str("lagging") + I64(1) +
                       Str("fp:0123456789ab") + Str("sealed"));
}

TEST_F(TokenReconcilerTest, VersionOneSideRepairedStillDecodes) {
  // Written before foreign values were kept: no sealed_before member.
  const std::string v1 = "\x01" + U32(1) + Str("cli") + I64(3) + Str("write") + Str("foreign") + I64(0) +
                         Str("fp:0123456789ab");
  auto back = DecodeSideRepaired(v1);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->verdict_before, "foreign");
  EXPECT_EQ(back->sealed_before, "");
}

}  // namespace
}  // namespace seam::token
