// The value kind's logic: what [seam.format] draws (length, alphabet, every character about as
// likely as another), and how its events replay under either spec (secret or shown plainly, so a
// seam whose `secret` changed still replays) and are shown.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "core/crypto.h"
#include "reconcilers/generate_value.h"
#include "reconcilers/record_state.h"
#include "reconcilers/value/value_events.h"
#include "reconcilers/value/value_kind.h"

namespace seam {
namespace {

TEST(GenerateValueTest, EachAlphabetGivesItsLengthOfItsCharacters) {
  for (const char* alphabet : {"base64url", "hex", "alnum", "ascii-printable"}) {
    SeamConfig::Format f;
    f.given = true;
    f.length = 100;
    f.alphabet = alphabet;
    Result<Secret> v = GenerateValue(f);
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(v->size(), 100u) << alphabet;
    for (char c : v->Reveal()) EXPECT_NE(AlphabetChars(alphabet).find(c), std::string_view::npos) << alphabet;
  }
  Result<Secret> token_like = GenerateValue(SeamConfig::Format{});
  ASSERT_TRUE(token_like.ok());
  EXPECT_EQ(token_like->size(), 43u) << "no format: 32 bytes as base64url, as tokens";
}

TEST(GenerateValueTest, NoCharacterIsFavoured) {
  // ascii-printable has 94 characters: 256 % 94 != 0, the case rejection sampling is for.
  SeamConfig::Format f;
  f.given = true;
  f.length = 4096;
  f.alphabet = "ascii-printable";
  std::map<char, int> counts;
  for (int i = 0; i < 50; ++i) {
    Result<Secret> v = GenerateValue(f);
    ASSERT_TRUE(v.ok());
    for (char c : v->Reveal()) ++counts[c];
  }
  ASSERT_EQ(counts.size(), 94u);
  const double expected = 50.0 * 4096 / 94;  // ~2179
  for (const auto& [c, n] : counts) {
    EXPECT_NEAR(n, expected, expected * 0.15) << "character " << c;  // > 6 standard deviations
  }
}

Event At(std::int64_t version, const std::string& type, std::string payload) {
  Event e;
  e.seq = version;
  e.stream = "value/db";
  e.version = version;
  e.type = type;
  e.payload = std::move(payload);
  return e;
}

TEST(ValueKindTest, SecretAndPlainValuesReplayUnderEitherSpec) {
  const Secret key(std::string(32, 'k'));
  KeyRing keys(key);
  value::ValueSet secret;
  secret.secret = true;
  Result<std::string> sealed = keys.Seal(Secret(std::string_view("s3cret")), SealContext("value/db", 1));
  ASSERT_TRUE(sealed.ok());
  secret.sealed_value = *sealed;
  value::ValueSet plain;
  plain.secret = false;
  plain.plain_value = "https://api.example";
  const std::vector<Event> events = {At(1, value::kValueSet, value::Encode(secret)),
                                     At(2, value::kValueSet, value::Encode(plain))};
  for (const KindSpec* kind : {&value::ValueKind(), &value::PlainValueKind()}) {
    Result<RecordState> first = Fold(*kind, {events[0]}, keys);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    EXPECT_EQ(first->value.at("value").Reveal(), "s3cret");
    Result<RecordState> both = Fold(*kind, events, keys);
    ASSERT_TRUE(both.ok()) << both.status().ToString();
    EXPECT_EQ(both->value.at("value").Reveal(), "https://api.example");
  }
  // Shown: a fingerprint for the secret, the value itself for the plain one.
  EXPECT_THAT(RecordFingerprint(value::ValueKind(), {{"value", Secret(std::string_view("s3cret"))}}, keys),
              ::testing::StartsWith("fp:"));
  EXPECT_EQ(RecordFingerprint(value::PlainValueKind(), {{"value", Secret(std::string_view("https://a"))}}, keys),
            "\"https://a\"");
  std::optional<EventFields> shown = value::Describe(events[0], keys);
  ASSERT_TRUE(shown.has_value());
  EXPECT_EQ(ShownText(*shown, "value"), "");
  EXPECT_THAT(ShownText(*shown, "fingerprint"), ::testing::StartsWith("fp:"));
  shown = value::Describe(events[1], keys);
  EXPECT_EQ(ShownText(*shown, "value"), "https://api.example");
}

}  // namespace
}  // namespace seam
