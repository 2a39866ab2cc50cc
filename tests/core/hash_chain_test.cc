// Pins the hash-chain input (docs/log-format.md) byte for byte. The expected bytes are spelled
// out here by hand and hashed with OpenSSL's one-shot SHA256(), independently of the streaming
// code in core/hash_chain.cc; the hex constants were computed a third way (Python hashlib). If
// one of these tests fails, the on-disk format changed: that is a schema change, not a test fix.

#include "core/hash_chain.h"

#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <string>

namespace seam {
namespace {

using namespace std::string_literals;

Hash Sha256Of(const std::string& bytes) {
  Hash out{};
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), out.data());
  return out;
}

Hash CountingHash() {
  Hash h{};
  for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<std::uint8_t>(i);
  return h;
}

Event FixedEvent() {
  Event e;
  e.seq = 7;
  e.stream = "token/device-42";
  e.version = 3;
  e.type = "TokenRotated";
  e.time_us = 1'700'000'000'123'456;  // 0x00060a2418202240
  e.actor = "seamctl:alice@host";
  e.payload = "\x00\x01\xff"s + "payload";
  e.prev_hash = CountingHash();
  e.hash.fill(0xee);  // not part of the input: must not change the result
  return e;
}

// The input of FixedEvent(), field by field.
std::string FixedEventInput() {
  std::string in;
  in += "seam-event-v1"s;                                   // domain, 13 bytes, no NUL
  in += "\x00\x00\x00\x00\x00\x00\x00\x07"s;                // seq, u64 big-endian
  in += "\x00\x00\x00\x0f"s + "token/device-42";            // stream, u32be length + bytes
  in += "\x00\x00\x00\x00\x00\x00\x00\x03"s;                // version
  in += "\x00\x00\x00\x0c"s + "TokenRotated";               // type
  in += "\x00\x06\x0a\x24\x18\x20\x22\x40"s;                // time_us
  in += "\x00\x00\x00\x12"s + "seamctl:alice@host";         // actor
  in += "\x00\x00\x00\x0a"s + "\x00\x01\xff"s + "payload";  // payload
  for (int i = 0; i < 32; ++i) in += static_cast<char>(i);  // prev_hash, 32 raw bytes
  return in;
}

TEST(HashChainTest, InputLayoutIsPinnedByteForByte) {
  const std::string input = FixedEventInput();
  ASSERT_EQ(input.size(), 140u);

  EXPECT_EQ(ComputeEventHash(FixedEvent()), Sha256Of(input));
  EXPECT_EQ(HashToHex(ComputeEventHash(FixedEvent())),
            "980a8d2446d480700263f07c2662854fac775be981d0dca89ff73b9ada5a9253");
}

// Input v2: an event with an epoch (an append fenced by an ownership lease). Same fields, the
// epoch after the version, another domain; epoch 0 stays v1 (the test above), so logs written
// before epochs existed verify unchanged.
TEST(HashChainTest, AnEpochMakesInputV2PinnedByteForByte) {
  Event e = FixedEvent();
  e.epoch = 5;
  std::string input = FixedEventInput();
  input.replace(0, 13, "seam-event-v2");
  input.insert(13 + 8 + 4 + 15 + 8, "\x00\x00\x00\x00\x00\x00\x00\x05"s);  // after version
  ASSERT_EQ(input.size(), 148u);

  EXPECT_EQ(ComputeEventHash(e), Sha256Of(input));
  EXPECT_EQ(HashToHex(ComputeEventHash(e)),
            "bcb7c07eec7d32b826d959b3e163fe038275fa1c04b60788c0db021be14f9696");
  // Every epoch is its own input: a row whose epoch was edited fails its hash.
  Event other = e;
  other.epoch = 6;
  EXPECT_NE(ComputeEventHash(other), ComputeEventHash(e));
}

TEST(HashChainTest, NegativeTimeIsTwosComplementAndEmptyStringsKeepTheirLengthPrefix) {
  Event e;
  e.seq = 1;
  e.version = 1;
  e.time_us = -1;
  const std::string input = "seam-event-v1"s + "\x00\x00\x00\x00\x00\x00\x00\x01"s +
                            "\x00\x00\x00\x00"s + "\x00\x00\x00\x00\x00\x00\x00\x01"s +
                            "\x00\x00\x00\x00"s + "\xff\xff\xff\xff\xff\xff\xff\xff"s +
                            "\x00\x00\x00\x00"s + "\x00\x00\x00\x00"s + std::string(32, '\0');

  EXPECT_EQ(ComputeEventHash(e), Sha256Of(input));
  EXPECT_EQ(HashToHex(ComputeEventHash(e)),
            "1f98fff953fe43a6e2612a937b6b37dd789e9396a799adad865d06ab3cce94c7");
}

TEST(HashChainTest, EveryFieldButHashChangesTheResult) {
  const Hash base = ComputeEventHash(FixedEvent());
  auto changed = [&](auto edit) {
    Event e = FixedEvent();
    edit(e);
    return ComputeEventHash(e) != base;
  };

  EXPECT_TRUE(changed([](Event& e) { e.seq += 1; }));
  EXPECT_TRUE(changed([](Event& e) { e.stream += "x"; }));
  EXPECT_TRUE(changed([](Event& e) { e.version += 1; }));
  EXPECT_TRUE(changed([](Event& e) { e.epoch = 1; }));
  EXPECT_TRUE(changed([](Event& e) { e.type = "TokenRevoked"; }));
  EXPECT_TRUE(changed([](Event& e) { e.time_us += 1; }));
  EXPECT_TRUE(changed([](Event& e) { e.actor = "seamd"; }));
  EXPECT_TRUE(changed([](Event& e) { e.payload.back() ^= 1; }));
  EXPECT_TRUE(changed([](Event& e) { e.prev_hash[31] ^= 1; }));
  EXPECT_FALSE(changed([](Event& e) { e.hash.fill(0); }));
  // Length prefixes keep adjacent fields apart: moving a byte from actor to payload is a change.
  EXPECT_TRUE(changed([](Event& e) {
    e.actor.pop_back();
    e.payload.insert(0, "t");
  }));
}

TEST(HashChainTest, GenesisHashIsThirtyTwoZeroBytes) {
  EXPECT_EQ(HashToHex(kGenesisHash), std::string(64, '0'));
}

TEST(HashChainTest, HashToHexIsLowerCaseAndRoundTripsThroughHashFromHex) {
  const Hash h = CountingHash();
  const std::string hex = HashToHex(h);

  EXPECT_EQ(hex, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  Hash back{};
  ASSERT_TRUE(HashFromHex(hex, &back));
  EXPECT_EQ(back, h);
}

TEST(HashChainTest, HashFromHexAcceptsUpperCase) {
  Hash back{};
  ASSERT_TRUE(HashFromHex(std::string(62, '0') + "AB", &back));
  EXPECT_EQ(back[31], 0xab);
}

TEST(HashChainTest, HashFromHexRefusesWrongLengthAndNonHexCharacters) {
  Hash out{};
  EXPECT_FALSE(HashFromHex("", &out));
  EXPECT_FALSE(HashFromHex(std::string(63, 'a'), &out));
  EXPECT_FALSE(HashFromHex(std::string(65, 'a'), &out));
  EXPECT_FALSE(HashFromHex(std::string(63, 'a') + "g", &out));
  EXPECT_FALSE(HashFromHex(std::string(62, 'a') + " a", &out));
  EXPECT_FALSE(HashFromHex("0x" + std::string(62, 'a'), &out));
}

}  // namespace
}  // namespace seam
