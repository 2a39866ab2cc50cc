// pem-file: Write, Remove and CheckWritable on real files: what lands on disk, its modes, and
// the compare-and-swap and validation refusals that write nothing.

#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

#include "plugins/common/atomic_file.h"
#include "tests/plugins/pem_file/pem_file_fixture.h"

namespace seam::testing {
namespace {

namespace fs = std::filesystem;
using State = Observation::State;

mode_t ModeOf(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

TEST_F(PemFileTest, WriteIntoAbsentFilesThenObserve) {
  auto side = Make();
  Observation before = side->Observe();
  ASSERT_EQ(before.state, State::kMissing);
  PemPair pair = IssuePair(ca_, "gateway");
  Status s = side->Write(CertRecord(pair), before.marker);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ReadFile(cert_), pair.chain);
  EXPECT_EQ(ReadFile(key_), pair.key);
  EXPECT_EQ(ModeOf(key_), 0600u);
  EXPECT_EQ(ModeOf(cert_), 0644u);
  Observation after = side->Observe();
  ASSERT_EQ(after.state, State::kValue) << after.reason;
  EXPECT_EQ(FieldText(after, "leaf_sha256"), LeafSha256(pair.chain));
  EXPECT_EQ(FieldText(after, "key_matches"), "true");
  EXPECT_NE(after.marker, before.marker);
}

TEST_F(PemFileTest, WriteReplacesAPairAndKeepsTheKeyFilesMode) {
  PemPair old_pair = IssuePair(ca_, "old");
  Put(old_pair);
  fs::permissions(key_, static_cast<fs::perms>(0640));
  auto side = Make();
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  // Self-signed this time, with other fields in the record that the side ignores.
  PemPair fresh = SelfSignedPair("gw.example.test", 30, NowUnix());
  Record record = CertRecord(fresh);
  record.emplace("leaf_sha256", Secret(LeafSha256(fresh.chain)));
  record.emplace("not_after", Secret(std::string("0")));
  ASSERT_TRUE(side->Write(record, o.marker).ok());
  EXPECT_EQ(ModeOf(key_), 0640u);
  Observation after = side->Observe();
  ASSERT_EQ(after.state, State::kValue) << after.reason;
  EXPECT_EQ(FieldText(after, "leaf_sha256"), LeafSha256(fresh.chain));
  EXPECT_EQ(FieldText(after, "key_matches"), "true");
  EXPECT_NE(FieldText(after, "not_after"), "0");
}

TEST_F(PemFileTest, KeyModeAppliesToANewKeyFile) {
  auto side = Make({{"cert_path", "tls/cert.pem"}, {"key_path", "tls/key.pem"}, {"key_mode", "0640"}});
  Observation o = side->Observe();
  ASSERT_TRUE(side->Write(CertRecord(IssuePair(ca_, "gateway")), o.marker).ok());
  EXPECT_EQ(ModeOf(key_), 0640u);
}

TEST_F(PemFileTest, WriteRefusesWhenAFileChangedSinceObserved) {
  PemPair old_pair = IssuePair(ca_, "old");
  Put(old_pair);
  auto side = Make();
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  PemPair other = IssuePair(ca_, "other");
  WriteFile(cert_, other.chain);  // someone else renewed the chain meanwhile
  Status s = side->Write(CertRecord(IssuePair(ca_, "new")), o.marker);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), side->Describe() + " changed since it was observed; not writing");
  EXPECT_EQ(ReadFile(cert_), other.chain);
  EXPECT_EQ(ReadFile(key_), old_pair.key);

  // The key alone changing counts too.
  o = side->Observe();
  WriteFile(key_, other.key);
  EXPECT_EQ(side->Write(CertRecord(IssuePair(ca_, "new2")), o.marker).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadFile(cert_), other.chain);
}

TEST_F(PemFileTest, WriteNeedsChainAndKey) {
  auto side = Make();
  Observation o = side->Observe();
  PemPair pair = IssuePair(ca_, "gateway");
  Record no_key;
  no_key.emplace("chain", Secret(pair.chain));
  Status s = side->Write(no_key, o.marker);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), side->Describe() + ": a write needs the record's `chain` and `key`, and it has no `key`; not writing");
  EXPECT_EQ(side->Write(OneField(LeafSha256(pair.chain), "leaf_sha256"), o.marker).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_FALSE(fs::exists(cert_));
  EXPECT_FALSE(fs::exists(key_));
}

TEST_F(PemFileTest, WriteValidatesBeforeWritingAnything) {
  PemPair old_pair = IssuePair(ca_, "old");
  Put(old_pair);
  auto side = Make();
  Observation o = side->Observe();
  PemPair a = IssuePair(ca_, "a");
  PemPair b = IssuePair(ca_, "b");

  Status mismatch = side->Write(CertRecord(PemPair{a.chain, b.key}), o.marker);
  EXPECT_EQ(mismatch.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(mismatch.message(), side->Describe() +
                                    ": the key to write is not the private key of the chain's leaf certificate; not writing");

  Status bad_chain = side->Write(CertRecord(PemPair{"junk", a.key}), o.marker);
  EXPECT_EQ(bad_chain.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_chain.message(), side->Describe() + ": the chain to write: no PEM certificate found; not writing");

  Status bad_key = side->Write(CertRecord(PemPair{a.chain, a.key.substr(0, 60)}), o.marker);
  EXPECT_EQ(bad_key.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_key.message(), side->Describe() + ": the key to write: the private key does not parse; not writing");
  EXPECT_FALSE(Contains(bad_key.message(), a.key.substr(28, 30)));

  EXPECT_EQ(ReadFile(cert_), old_pair.chain);
  EXPECT_EQ(ReadFile(key_), old_pair.key);
  EXPECT_EQ(side->Observe().marker, o.marker);
}

TEST_F(PemFileTest, WriteRepairsAHalfPresentPairUnderItsMarker) {
  PemPair pair = IssuePair(ca_, "gateway");
  WriteFile(cert_, pair.chain);  // the key was lost
  auto side = Make();
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kUnreadable);
  ASSERT_TRUE(side->Write(CertRecord(pair), o.marker).ok());
  Observation after = side->Observe();
  ASSERT_EQ(after.state, State::kValue) << after.reason;
  EXPECT_EQ(FieldText(after, "key_matches"), "true");
}

TEST_F(PemFileTest, WriteIntoAMissingDirectoryFailsAndNamesIt) {
  auto side = Make({{"cert_path", "nodir/cert.pem"}, {"key_path", "nodir/key.pem"}});
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kMissing);
  Status s = side->Write(CertRecord(IssuePair(ca_, "gateway")), o.marker);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_TRUE(Contains(s.message(), "key.pem: directory")) << s.message();
  EXPECT_TRUE(Contains(s.message(), "does not exist")) << s.message();
}

TEST_F(PemFileTest, KeyWrittenButChainNotSaysSo) {
  // The chain's directory does not exist: the key is replaced first, then the chain fails.
  auto side = Make({{"cert_path", "nodir/cert.pem"}, {"key_path", "tls/key.pem"}});
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kMissing);
  PemPair pair = IssuePair(ca_, "gateway");
  Status s = side->Write(CertRecord(pair), o.marker);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_TRUE(Contains(s.message(), "cert.pem: directory")) << s.message();
  EXPECT_TRUE(Contains(s.message(), "(the key " + key_.string() + " was already replaced")) << s.message();
  EXPECT_EQ(ReadFile(key_), pair.key);
  // What an observer sees now: a key without its certificate.
  EXPECT_EQ(side->Observe().state, State::kUnreadable);
}

TEST_F(PemFileTest, WriteRefusesWhenAPathIsADirectory) {
  fs::create_directories(dir_.path() / "tls" / "chain-dir");
  auto side = Make({{"cert_path", "tls/chain-dir"}, {"key_path", "tls/key.pem"}});
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kUnreadable);
  Status s = side->Write(CertRecord(IssuePair(ca_, "gateway")), o.marker);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(s.message(), "chain-dir is a directory; not writing")) << s.message();
  EXPECT_FALSE(fs::exists(key_));
  EXPECT_TRUE(Contains(side->CheckWritable().message(), "chain-dir is a directory"));
}

TEST_F(PemFileTest, RemoveDeletesBothUnderCompareAndSwap) {
  Put(IssuePair(ca_, "gateway"));
  auto side = Make();
  Observation o = side->Observe();
  WriteFile(cert_, IssuePair(ca_, "other").chain);
  EXPECT_EQ(side->Remove(o.marker).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(fs::exists(cert_));
  EXPECT_TRUE(fs::exists(key_));

  o = side->Observe();
  ASSERT_TRUE(side->Remove(o.marker).ok());
  EXPECT_FALSE(fs::exists(cert_));
  EXPECT_FALSE(fs::exists(key_));
  Observation gone = side->Observe();
  EXPECT_EQ(gone.state, State::kMissing);
  EXPECT_TRUE(side->Remove(gone.marker).ok());  // removing absent files is ok
}

TEST_F(PemFileTest, CheckWritable) {
  auto side = Make();
  EXPECT_TRUE(side->CheckWritable().ok());
  Put(IssuePair(ca_, "gateway"));
  EXPECT_TRUE(side->CheckWritable().ok());

  auto nodir = Make({{"cert_path", "tls/cert.pem"}, {"key_path", "nodir/key.pem"}});
  Status s = nodir->CheckWritable();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(s.message(), "nodir/key.pem: directory")) << s.message();
  EXPECT_FALSE(fs::exists(dir_.path() / "nodir"));
}

// certbot's layout: live/NAME/*.pem are links into archive/NAME/*N.pem, its numbered history.
// Observing reads through the links; writing, removing and CheckWritable refuse them, and
// nothing in archive/ or live/ changes.
TEST_F(PemFileTest, ALinkedPairIsReadButNeverWrittenThroughOrRemoved) {
  const fs::path archive = dir_.path() / "archive/web";
  const fs::path live = dir_.path() / "live/web";
  fs::create_directories(archive);
  fs::create_directories(live);
  PemPair renewed = IssuePair(ca_, "web");
  WriteFile(archive / "fullchain1.pem", renewed.chain);
  WriteFile(archive / "privkey1.pem", renewed.key);
  fs::create_symlink("../../archive/web/fullchain1.pem", live / "fullchain.pem");
  fs::create_symlink("../../archive/web/privkey1.pem", live / "privkey.pem");
  auto side = Make({{"cert_path", "live/web/fullchain.pem"}, {"key_path", "live/web/privkey.pem"}});
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  EXPECT_EQ(FieldText(o, "leaf_sha256"), LeafSha256(renewed.chain));

  const Status check = side->CheckWritable();
  EXPECT_EQ(check.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(check.message(), (live / "fullchain.pem").string() +
                                 " is a symlink to ../../archive/web/fullchain1.pem, part of another tool's layout "
                                 "(certbot's live/ links into its archive/): seam does not write through it; make "
                                 "this side the seam's `authority` so seam adopts what that tool writes, or point "
                                 "the side at a file of its own");
  const Status write = side->Write(CertRecord(IssuePair(ca_, "other")), o.marker);
  EXPECT_EQ(write.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(write.message(), "is a symlink to ../../archive/web/fullchain1.pem")) << write.message();
  EXPECT_TRUE(Contains(write.message(), "; not writing")) << write.message();
  const Status removed = side->Remove(o.marker);
  EXPECT_EQ(removed.code(), StatusCode::kFailedPrecondition);

  EXPECT_EQ(ReadFile(archive / "fullchain1.pem"), renewed.chain);
  EXPECT_EQ(ReadFile(archive / "privkey1.pem"), renewed.key);
  EXPECT_TRUE(fs::is_symlink(live / "fullchain.pem"));
  EXPECT_TRUE(fs::is_symlink(live / "privkey.pem"));
  EXPECT_EQ(std::distance(fs::directory_iterator(archive), fs::directory_iterator()), 2);

  // Only the key linked: refused all the same.
  fs::create_directories(dir_.path() / "mixed");
  WriteFile(dir_.path() / "mixed/cert.pem", renewed.chain);
  fs::create_symlink("../archive/web/privkey1.pem", dir_.path() / "mixed/key.pem");
  auto mixed = Make({{"cert_path", "mixed/cert.pem"}, {"key_path", "mixed/key.pem"}});
  EXPECT_EQ(mixed->CheckWritable().code(), StatusCode::kFailedPrecondition);
  Observation m = mixed->Observe();
  ASSERT_EQ(m.state, State::kValue) << m.reason;
  EXPECT_EQ(mixed->Write(CertRecord(IssuePair(ca_, "other")), m.marker).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadFile(dir_.path() / "mixed/cert.pem"), renewed.chain);
}

// A renewal by the certificate's own tool lands between seam's read and its removal: the
// renewed files stay (plugins/common/atomic_file.h RemoveReadFile).
TEST_F(PemFileTest, ARemovalRacingARenewalKeepsTheRenewedFiles) {
  fs::create_directories(dir_.path() / "tls");
  PemPair old = IssuePair(ca_, "web");
  WriteFile(dir_.path() / "tls/cert.pem", old.chain);
  WriteFile(dir_.path() / "tls/key.pem", old.key);
  auto side = Make({{"cert_path", "tls/cert.pem"}, {"key_path", "tls/key.pem"}});
  Observation o = side->Observe();
  ASSERT_EQ(o.state, State::kValue) << o.reason;
  PemPair renewed = IssuePair(ca_, "web");
  atomic_file_internal::SetStepHook([&](std::string_view step) {
    if (step != "before-checks") return;
    for (const auto& [name, bytes] : {std::pair{"cert.pem", renewed.chain}, std::pair{"key.pem", renewed.key}}) {
      WriteFile(dir_.path() / "tls" / (std::string(name) + ".new"), bytes);
      fs::rename(dir_.path() / "tls" / (std::string(name) + ".new"), dir_.path() / "tls" / name);
    }
  });
  const Status removed = side->Remove(o.marker);
  atomic_file_internal::SetStepHook(nullptr);
  EXPECT_EQ(removed.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(removed.message(), (dir_.path() / "tls/cert.pem").string() +
                                   " was replaced by another file since it was read; not removing");
  EXPECT_EQ(ReadFile(dir_.path() / "tls/cert.pem"), renewed.chain);
  EXPECT_EQ(ReadFile(dir_.path() / "tls/key.pem"), renewed.key);
}

}  // namespace
}  // namespace seam::testing
