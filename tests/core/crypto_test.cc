#include "core/crypto.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "tests/support/temp_dir.h"

namespace seam {
namespace {

using ::seam::testing::TempDir;
using ::seam::testing::WriteFile;
using ::testing::HasSubstr;

Secret KeyOf(char fill) { return Secret(std::string(kKeyFileBytes, fill)); }

class KeyFileTest : public ::testing::Test {
 protected:
  // Writes `bytes` with `mode` and returns the path.
  std::string Key(const std::string& bytes, mode_t mode = 0600) {
    const std::filesystem::path p = dir_ / "key";
    WriteFile(p, bytes);
    EXPECT_EQ(::chmod(p.c_str(), mode), 0);
    return p.string();
  }
  TempDir dir_;
};

TEST_F(KeyFileTest, ReadsThirtyTwoBytesWithMode0600) {
  const std::string bytes(32, '\x7f');
  Result<Secret> key = ReadKeyFile(Key(bytes));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->Reveal(), bytes);
}

TEST_F(KeyFileTest, MissingFileSaysHowToCreateOne) {
  const std::string path = (dir_ / "absent").string();
  Result<Secret> key = ReadKeyFile(path);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(key.status().message(), HasSubstr(path));
  EXPECT_THAT(key.status().message(), HasSubstr("seamctl init"));
}

TEST_F(KeyFileTest, WrongLengthIsRefused) {
  for (std::size_t n : {std::size_t{0}, std::size_t{31}, std::size_t{33}}) {
    Result<Secret> key = ReadKeyFile(Key(std::string(n, 'k')));
    ASSERT_FALSE(key.ok()) << n;
    EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(key.status().message(), HasSubstr(std::to_string(n) + " bytes")) << n;
  }
}

TEST_F(KeyFileTest, GroupOrWorldAccessIsRefused) {
  for (mode_t mode : {mode_t{0644}, mode_t{0640}, mode_t{0604}, mode_t{0660}}) {
    Result<Secret> key = ReadKeyFile(Key(std::string(32, 'k'), mode));
    ASSERT_FALSE(key.ok()) << mode;
    EXPECT_THAT(key.status().message(), HasSubstr("chmod 600")) << mode;
  }
}

TEST_F(KeyFileTest, SymlinkIsRefused) {
  const std::string target = Key(std::string(32, 'k'));
  const std::filesystem::path link = dir_ / "link";
  std::filesystem::create_symlink(target, link);
  Result<Secret> key = ReadKeyFile(link.string());
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(key.status().message(), HasSubstr(link.string()));
}

TEST_F(KeyFileTest, DirectoryIsRefused) {
  std::filesystem::create_directory(dir_ / "keydir");
  Result<Secret> key = ReadKeyFile((dir_ / "keydir").string());
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
}

TEST(KeyRingTest, SealThenOpenRoundTrips) {
  const KeyRing ring(KeyOf('a'));
  const std::string ad = SealContext("token/device-42", 3);
  Result<std::string> sealed = ring.Seal(Secret(std::string("s3cret-token")), ad);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(sealed->size(), 1 + 12 + 12 + 16u);  // version | nonce | ciphertext | tag
  EXPECT_EQ(static_cast<unsigned char>((*sealed)[0]), 0x01);
  EXPECT_EQ(sealed->find("s3cret-token"), std::string::npos);
  Result<Secret> opened = ring.Open(*sealed, ad);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->Reveal(), "s3cret-token");
}

TEST(KeyRingTest, SealingTwiceUsesFreshNonces) {
  const KeyRing ring(KeyOf('a'));
  Result<std::string> a = ring.Seal(Secret(std::string("x")), "ad");
  Result<std::string> b = ring.Seal(Secret(std::string("x")), "ad");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST(KeyRingTest, EmptyPlaintextRoundTrips) {
  const KeyRing ring(KeyOf('a'));
  Result<std::string> sealed = ring.Seal(Secret(), "ad");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->size(), 1 + 12 + 16u);
  Result<Secret> opened = ring.Open(*sealed, "ad");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_TRUE(opened->empty());
}

TEST(KeyRingTest, OpenWithOtherAssociatedDataFails) {
  const KeyRing ring(KeyOf('a'));
  Result<std::string> sealed = ring.Seal(Secret(std::string("v")), SealContext("token/a", 1));
  ASSERT_TRUE(sealed.ok());
  Result<Secret> opened = ring.Open(*sealed, SealContext("token/a", 2));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kCorruption);
}

TEST(KeyRingTest, AnyFlippedByteFailsToOpen) {
  const KeyRing ring(KeyOf('a'));
  Result<std::string> sealed = ring.Seal(Secret(std::string("value")), "ad");
  ASSERT_TRUE(sealed.ok());
  for (std::size_t i = 0; i < sealed->size(); ++i) {
    std::string bad = *sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    Result<Secret> opened = ring.Open(bad, "ad");
    ASSERT_FALSE(opened.ok()) << "byte " << i;
    EXPECT_EQ(opened.status().code(), StatusCode::kCorruption) << "byte " << i;
  }
}

TEST(KeyRingTest, TruncatedInputFailsToOpen) {
  const KeyRing ring(KeyOf('a'));
  EXPECT_EQ(ring.Open("", "ad").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(ring.Open(std::string(28, '\x01'), "ad").status().code(), StatusCode::kCorruption);
}

TEST(KeyRingTest, WrongKeyFailsToOpen) {
  Result<std::string> sealed = KeyRing(KeyOf('a')).Seal(Secret(std::string("v")), "ad");
  ASSERT_TRUE(sealed.ok());
  Result<Secret> opened = KeyRing(KeyOf('b')).Open(*sealed, "ad");
  ASSERT_FALSE(opened.ok());
  EXPECT_THAT(opened.status().message(), HasSubstr("wrong key file"));
}

TEST(KeyRingTest, FingerprintIsFpAndTwelveLowerHexStablePerKey) {
  const KeyRing a(KeyOf('a'));
  const std::string fp = a.Fingerprint("token");
  ASSERT_EQ(fp.size(), 15u);
  EXPECT_EQ(fp.substr(0, 3), "fp:");
  EXPECT_EQ(fp.find_first_not_of("0123456789abcdef", 3), std::string::npos) << fp;
  EXPECT_EQ(KeyRing(KeyOf('a')).Fingerprint("token"), fp);
  EXPECT_EQ(a.Fingerprint(Secret(std::string("token"))), fp);
  EXPECT_NE(KeyRing(KeyOf('b')).Fingerprint("token"), fp);
  EXPECT_NE(a.Fingerprint("token2"), fp);
}

TEST(KeyRingTest, FingerprintIsNotAPlainHashOfTheValue) {
  EXPECT_NE(KeyRing(KeyOf('a')).Fingerprint("abc").substr(3), Sha256Hex("abc").substr(0, 12));
}

TEST(SealContextTest, IsStreamNewlineVersion) {
  EXPECT_EQ(SealContext("token/device-42", 7), "token/device-42\n7");
}

TEST(Base64UrlTest, Rfc4648VectorsWithoutPadding) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
}

TEST(Base64UrlTest, UsesTheUrlAlphabet) {
  // Standard base64 of these bytes is "+/+/"; the url alphabet says "-_-_".
  EXPECT_EQ(Base64UrlEncode(std::string("\xfb\xff\xbf", 3)), "-_-_");
  EXPECT_EQ(Base64UrlEncode(std::string("\xff", 1)), "_w");
}

TEST(Sha256HexTest, KnownVectors) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(RandomBytesTest, ReturnsTheRequestedLengthAndDiffers) {
  Result<Secret> a = RandomBytes(32);
  Result<Secret> b = RandomBytes(32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_FALSE(a->Equals(*b));
  Result<Secret> none = RandomBytes(0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace seam
