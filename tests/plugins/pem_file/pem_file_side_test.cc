// pem-file: Observe and config, on real files in a TempDir with certificates from a test CA.

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "tests/plugins/pem_file/pem_file_fixture.h"

namespace seam::testing {
namespace {

namespace fs = std::filesystem;
using State = Observation::State;

TEST_F(PemFileTest, ObservesAGoodPair) {
  PemPair pair = IssuePair(ca_, "gateway");
  Put(pair);
  auto side = Make();
  ASSERT_NE(side, nullptr);
  EXPECT_EQ(side->Fields(), (std::vector<std::string>{"leaf_sha256", "not_after", "key_matches"}));
  EXPECT_TRUE(side->Writable());
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o, "leaf_sha256"), LeafSha256(pair.chain));
  Result<CertificateInfo> info = ParseCertificateChain(pair.chain);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(FieldText(o, "not_after"), std::to_string(info->not_after));
  EXPECT_EQ(FieldText(o, "key_matches"), "true");
  // Carried beside them (not compared): what an adoption records, or a write over them seals.
  EXPECT_EQ(FieldText(o, "chain"), pair.chain);
  EXPECT_EQ(FieldText(o, "key"), pair.key);
  EXPECT_GT(o.changed_at_us, 0);
  // Unchanged files: equal markers.
  EXPECT_EQ(side->Observe().marker, o.marker);
  EXPECT_TRUE(Contains(side->Describe(), "cert.pem")) << side->Describe();
}

TEST_F(PemFileTest, ChangedAtIsTheNewerMtime) {
  Put(IssuePair(ca_, "gateway"));
  const auto older = fs::file_time_type::clock::now() - std::chrono::hours(48);
  fs::last_write_time(cert_, older);
  const fs::file_time_type key_time = fs::last_write_time(key_);
  Observation o = Make()->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  const auto key_us = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::file_clock::to_sys(key_time).time_since_epoch()).count();
  EXPECT_EQ(o.changed_at_us, key_us);
}

TEST_F(PemFileTest, KeyOfAnotherCertificateObservesKeyMatchesFalse) {
  PemPair a = IssuePair(ca_, "a");
  PemPair b = IssuePair(ca_, "b");
  Put(PemPair{a.chain, b.key});
  Observation o = Make()->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o, "leaf_sha256"), LeafSha256(a.chain));
  EXPECT_EQ(FieldText(o, "key_matches"), "false");
}

TEST_F(PemFileTest, ExpiredCertificateIsStillAValue) {
  // Valid for one day, ten days ago: judging expiry is the reconciler's business.
  const std::int64_t now = NowUnix();
  PemPair pair = SelfSignedPair("gw.example.test", 1, now - 10 * 86400);
  Put(pair);
  Observation o = Make()->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o, "not_after"), std::to_string(now - 9 * 86400));
  EXPECT_EQ(FieldText(o, "key_matches"), "true");
}

TEST_F(PemFileTest, BothAbsentIsMissing) {
  auto side = Make();
  Observation o = side->Observe();
  EXPECT_EQ(o.state, State::kMissing);
  EXPECT_TRUE(o.fields.empty());
  EXPECT_FALSE(o.answered_absent);  // missing files say nothing of intent
  EXPECT_EQ(side->Observe().marker, o.marker);
}

TEST_F(PemFileTest, OneFileWithoutTheOtherIsUnreadable) {
  PemPair pair = IssuePair(ca_, "gateway");
  auto side = Make();
  WriteFile(cert_, pair.chain);
  std::string why = Unreadable(*side, pair);
  EXPECT_EQ(why, key_.string() + " is missing, but its certificate " + cert_.string() + " exists");

  fs::remove(cert_);
  WriteFile(key_, pair.key);
  why = Unreadable(*side, pair);
  EXPECT_EQ(why, cert_.string() + " is missing, but its key " + key_.string() + " exists");
}

TEST_F(PemFileTest, CorruptChainIsUnreadableNamingThePath) {
  PemPair pair = IssuePair(ca_, "gateway");
  Put(PemPair{"-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n", pair.key});
  std::string why = Unreadable(*Make(), pair);
  EXPECT_EQ(why, cert_.string() + ": certificate 1 of the chain does not parse");

  Put(PemPair{pair.chain + "garbage\n", pair.key});
  why = Unreadable(*Make(), pair);
  EXPECT_EQ(why, cert_.string() + ": data that is not a PEM certificate after certificate 2");
}

TEST_F(PemFileTest, CorruptKeyIsUnreadableWithoutKeyBytes) {
  PemPair pair = IssuePair(ca_, "gateway");
  // The key's first half only: still armoured, no longer a key.
  std::string half = pair.key.substr(0, pair.key.size() / 2) + "\n-----END PRIVATE KEY-----\n";
  Put(PemPair{pair.chain, half});
  std::string why = Unreadable(*Make(), pair);
  EXPECT_EQ(why, key_.string() + ": the private key does not parse");

  // Chain and key swapped: both files are PEM, neither is the other kind.
  Put(PemPair{pair.key, pair.chain});
  why = Unreadable(*Make(), pair);
  EXPECT_EQ(why, cert_.string() + ": no PEM certificate found (the first PEM block is PRIVATE KEY)");
}

TEST_F(PemFileTest, HugeFileIsUnreadable) {
  PemPair pair = IssuePair(ca_, "gateway");
  Put(pair);
  {
    std::ofstream out(cert_, std::ios::binary | std::ios::app);
    out << std::string(kPemFileMaxBytes, '\n');
  }
  std::string why = Unreadable(*Make(), pair);
  EXPECT_TRUE(Contains(why, cert_.string() + " is ")) << why;
  EXPECT_TRUE(Contains(why, "over the 1 MiB limit")) << why;
}

TEST_F(PemFileTest, FifoOrDirectoryIsUnreadableAndNeverHangs) {
  PemPair pair = IssuePair(ca_, "gateway");
  WriteFile(cert_, pair.chain);
  ASSERT_EQ(::mkfifo(key_.c_str(), 0600), 0);
  EXPECT_EQ(Unreadable(*Make(), pair), key_.string() + " is not a regular file");
  fs::remove(key_);
  fs::create_directory(key_);
  EXPECT_EQ(Unreadable(*Make(), pair), key_.string() + " is a directory");
}

TEST_F(PemFileTest, PermissionDeniedIsUnreadable) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads a mode-000 file anyway";
  PemPair pair = IssuePair(ca_, "gateway");
  Put(pair);
  fs::permissions(key_, fs::perms::none);
  EXPECT_EQ(Unreadable(*Make(), pair), key_.string() + ": Permission denied");
}

TEST_F(PemFileTest, AbsolutePathsAreKept) {
  PemPair pair = IssuePair(ca_, "gateway");
  Put(pair);
  auto side = Make({{"cert_path", cert_.string()}, {"key_path", key_.string()}, {"key_mode", "0640"}});
  ASSERT_NE(side, nullptr);
  EXPECT_EQ(side->Observe().state, State::kValue);
}

TEST_F(PemFileTest, ConfigErrorsNameTheLine) {
  EXPECT_EQ(FactoryError({{"key_path", "k.pem"}}), "seam.toml:20: seam `gateway-tls` side `files`: missing required key `cert_path`");
  EXPECT_EQ(FactoryError({{"cert_path", "c.pem"}}), "seam.toml:20: seam `gateway-tls` side `files`: missing required key `key_path`");
  EXPECT_EQ(FactoryError({{"cert_path", "c.pem"}, {"key_path", "k.pem"}, {"pointer", "/x"}}),
            "seam.toml:23: seam `gateway-tls` side `files`: unknown key `pointer`");
  EXPECT_EQ(FactoryError({{"cert_path", "c.pem"}, {"key_path", "./c.pem"}}),
            "seam.toml:22: seam `gateway-tls` side `files`: key `key_path` names the same file as `cert_path` "
            "(line 21); the key must be a file of its own");
  for (const char* bad : {"600x", "0800", "06000", "64", ""}) {
    std::string e = FactoryError({{"cert_path", "c.pem"}, {"key_path", "k.pem"}, {"key_mode", bad}});
    EXPECT_EQ(e, std::string("seam.toml:23: seam `gateway-tls` side `files`: key `key_mode` must be an octal file "
                             "mode such as \"0600\", got \"") + bad + "\"");
  }
  EXPECT_EQ(FactoryError({{"cert_path", "c.pem"}, {"key_path", "k.pem"}, {"key_mode", "0644"}}),
            "seam.toml:23: seam `gateway-tls` side `files`: key `key_mode` \"0644\" gives others access to the "
            "private key; use e.g. \"0600\" or \"0640\"");
}

TEST_F(PemFileTest, RefusesAnotherKind) {
  EXPECT_EQ(FactoryError({{"cert_path", "c.pem"}, {"key_path", "k.pem"}}, KindFields{}),
            "seam.toml:20: seam `gateway-tls` side `files`: plugin `pem-file` holds a certificate and its key; "
            "it is for seams of kind `certificate`, not `token`");
}

}  // namespace
}  // namespace seam::testing
