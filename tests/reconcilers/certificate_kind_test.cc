// The `certificate` kind (reconcilers/certificate/) on FakeSides over a MemEventStore: what
// `cert issue` and `cert import` record and write, what the kind's decode makes of each of its
// events, what `describe` shows of them (fingerprints, never the private key), and how sides
// are judged (an observe-only side serving another certificate; expiry). The certificates are
// real, made in memory by core/x509.h's MakeSelfSignedCertificate. The same on real PEM files
// and TLS endpoints is proven by the e2e certificate suites.
#include "reconcilers/certificate/certificate_kind.h"

#include <gmock/gmock.h>
#include <algorithm>
#include <gtest/gtest.h>

#include "core/x509.h"
#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/certificate/certificate_events.h"
#include "reconcilers/certificate/certificate_operations.h"
#include "reconcilers/operations.h"
#include "reconcilers/reconcile_pass.h"
#include "tests/reconcilers/logic_fixture.h"

namespace seam::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::int64_t kDay = 86'400;

// A certificate seam "s": side "a" maps what a pem-file side does (leaf_sha256, not_after,
// key_matches, carrying chain and key), side "b" what a tls-endpoint side does (leaf_sha256,
// not_after).
class CertificateKindTest : public LogicTest {
 protected:
  CertificateKindTest() {
    seam_.kind = "certificate";
    seam_.sides.clear();
    fakes_.clear();
    AddCertSide("a", {"leaf_sha256", "not_after", "key_matches"}).SetCarriedFields({"chain", "key"});
    AddCertSide("b", {"leaf_sha256", "not_after"});
  }

  FakeSide& AddCertSide(const std::string& name, std::vector<std::string> fields) {
    auto side = std::make_shared<FakeSide>(name, fields);
    fakes_[name] = side;
    SideConfig config;
    config.name = name;
    config.plugin = "fake";
    config.side = side;
    config.fields = std::move(fields);
    seam_.sides.push_back(std::move(config));
    return *side;
  }

  std::int64_t NowSeconds() const { return clock_.NowMicros() / 1'000'000; }

  // A fresh self-signed certificate valid from now for `days`.
  SelfSigned Make(const std::string& cn, int days = 90) {
    Result<SelfSigned> made = MakeSelfSignedCertificate(cn, days, NowSeconds());
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? std::move(made).value() : SelfSigned{};
  }
  CertificateInfo Info(const SelfSigned& cert) {
    Result<CertificateInfo> info = ParseCertificateChain(cert.chain_pem);
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    return info.ok() ? *info : CertificateInfo{};
  }
  Result<OperationReport> Import(const SelfSigned& cert) {
    SeamContext ctx = Ctx();
    return ImportCertificate(ctx, seam_, CertificateRequest{cert.chain_pem, cert.key_pem, "import"});
  }

  // What side `name` holds in `field` ("" when nothing).
  std::string HeldOn(const std::string& name, const std::string& field) {
    std::optional<Record> held = Fake(name).held();
    if (!held || held->count(field) == 0) return "";
    return std::string(held->at(field).Reveal());
  }

  certificate::CertificateSet SetAt(const std::vector<Event>& events, std::size_t i) {
    Result<certificate::CertificateSet> p = certificate::DecodeSet(events.at(i).payload, events.at(i).type.c_str());
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : certificate::CertificateSet{};
  }
};

TEST_F(CertificateKindTest, IssueRecordsASelfSignedCertificateAndWritesEverySide) {
  SeamContext ctx = Ctx();
  Result<OperationReport> issued = IssueSelfSignedCertificate(ctx, seam_, "api.example.test", 90);
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_TRUE(issued->AllSidesWritten());
  EXPECT_EQ(issued->operation, "cert issue");
  EXPECT_EQ(Types(), (std::vector<std::string>{"CertificateIssued", "SideApplied", "SideApplied"}));

  const std::vector<Event> events = Events();
  const certificate::CertificateSet p = SetAt(events, 0);
  EXPECT_EQ(p.subject_cn, "api.example.test");
  EXPECT_EQ(p.source, "self-signed");
  EXPECT_EQ(p.not_after, NowSeconds() + 90 * kDay);
  ASSERT_EQ(p.leaf_sha256.size(), 64U);
  Result<CertificateInfo> info = ParseCertificateChain(p.chain_pem);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->leaf_sha256, p.leaf_sha256);
  EXPECT_EQ(issued->fingerprint, "sha256:" + p.leaf_sha256.substr(0, 16));
  // The key is sealed at the event's place, and it is the leaf's.
  EXPECT_EQ(events[0].payload.find("PRIVATE KEY"), std::string::npos);
  Result<Secret> key = keys_.Open(p.sealed_key, SealContext(seam_.stream(), events[0].version));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  Result<bool> matches = PrivateKeyMatches(*key, p.chain_pem);
  ASSERT_TRUE(matches.ok());
  EXPECT_TRUE(*matches);

  // Each side holds what it maps of the record, and nothing else.
  EXPECT_EQ(HeldOn("a", "leaf_sha256"), p.leaf_sha256);
  EXPECT_EQ(HeldOn("a", "not_after"), std::to_string(p.not_after));
  EXPECT_EQ(HeldOn("a", "key_matches"), "true");
  EXPECT_EQ(HeldOn("b", "leaf_sha256"), p.leaf_sha256);
  EXPECT_EQ(HeldOn("b", "not_after"), std::to_string(p.not_after));
  EXPECT_EQ(Fake("b").held()->size(), 2U);
  EXPECT_EQ(Fake("a").writes(), 1);
  EXPECT_EQ(Fake("b").writes(), 1);
  for (std::size_t i : {1U, 2U}) {
    EXPECT_EQ(bookkeeping::DecodeSideApplied(events[i].payload).value().version, 1);
  }
}

TEST_F(CertificateKindTest, ImportingIntoASeamThatHasOneRecordsARenewalAndReplacesItOnEverySide) {
  const SelfSigned first = Make("first.example.test");
  const SelfSigned second = Make("second.example.test", 30);
  ASSERT_TRUE(Import(first).ok());
  Result<OperationReport> renewed = Import(second);
  ASSERT_TRUE(renewed.ok()) << renewed.status().ToString();
  EXPECT_EQ(renewed->operation, "cert import");
  EXPECT_EQ(Types(), (std::vector<std::string>{"CertificateIssued", "SideApplied", "SideApplied", "CertificateRenewed",
                                               "SideApplied", "SideApplied"}));
  const certificate::CertificateSet p = SetAt(Events(), 3);
  EXPECT_EQ(p.source, "import");
  EXPECT_EQ(p.subject_cn, "second.example.test");
  EXPECT_EQ(p.chain_pem, second.chain_pem);
  EXPECT_EQ(p.leaf_sha256, Info(second).leaf_sha256);
  EXPECT_NE(p.leaf_sha256, Info(first).leaf_sha256);
  EXPECT_EQ(HeldOn("a", "leaf_sha256"), p.leaf_sha256);
  EXPECT_EQ(HeldOn("b", "leaf_sha256"), p.leaf_sha256);

  SeamContext ctx = Ctx();
  Result<SeamReport> check = RunPass(ctx, seam_, PassMode::kCheck);
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check->status, "in_sync");
  EXPECT_EQ(check->intended_version, 4);
  EXPECT_EQ(check->intended_fingerprint, "sha256:" + p.leaf_sha256.substr(0, 16));
}

TEST_F(CertificateKindTest, AKeyThatIsNotTheLeafsOrAnExpiredCertificateIsRefusedAndNothingRecorded) {
  const SelfSigned cert = Make("api.example.test");
  const SelfSigned other = Make("api.example.test");
  SeamContext ctx = Ctx();
  Result<OperationReport> mismatched =
      ImportCertificate(ctx, seam_, CertificateRequest{cert.chain_pem, other.key_pem, "import"});
  ASSERT_FALSE(mismatched.ok());
  EXPECT_EQ(mismatched.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(mismatched.status().message(),
              HasSubstr("the private key does not belong to the chain's leaf certificate (api.example.test, sha256 " +
                        Info(cert).leaf_sha256.substr(0, 16) + "...)"));

  Result<SelfSigned> old = MakeSelfSignedCertificate("old.example.test", 1, NowSeconds() - 10 * kDay);
  ASSERT_TRUE(old.ok());
  Result<OperationReport> expired = Import(*old);
  ASSERT_FALSE(expired.ok());
  EXPECT_THAT(expired.status().message(), HasSubstr("the certificate expired at " +
                                                    FormatUnixTime(NowSeconds() - 9 * kDay) +
                                                    "; refusing to record it"));

  EXPECT_THAT(Types(), IsEmpty());
  EXPECT_EQ(Fake("a").writes() + Fake("b").writes(), 0);
  EXPECT_FALSE(Fake("a").held().has_value());
}

// One event decoded into a fresh IntentChange, as a Result.
Result<IntentChange> DecodeOne(const KindSpec& kind, const Event& event) {
  IntentChange change;
  SEAM_RETURN_IF_ERROR(kind.decode(event, change));
  return change;
}

TEST_F(CertificateKindTest, TheKindDecodesIssuedAndRenewedAsANewRecordAndRevokedAsCleared) {
  const SelfSigned cert = Make("api.example.test");
  ASSERT_TRUE(Import(cert).ok());
  const std::vector<Event> events = Events();
  const KindSpec& kind = certificate::CertificateKind();
  ASSERT_NE(kind.decode, nullptr);

  Result<IntentChange> issued = DecodeOne(kind, events[0]);
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_EQ(issued->what, IntentChange::What::kSet);
  const CertificateInfo info = Info(cert);
  EXPECT_EQ(issued->plain, (std::map<std::string, std::string>{{"chain", cert.chain_pem},
                                                               {"key_matches", "true"},
                                                               {"leaf_sha256", info.leaf_sha256},
                                                               {"not_after", std::to_string(info.not_after)}}));
  EXPECT_EQ(issued->sealed, SetAt(events, 0).sealed_key);
  EXPECT_EQ(issued->adopted_from, "");

  Event renewed = events[0];
  renewed.type = certificate::kCertificateRenewed;
  Result<IntentChange> renewal = DecodeOne(kind, renewed);
  ASSERT_TRUE(renewal.ok());
  EXPECT_EQ(renewal->what, IntentChange::What::kSet);
  EXPECT_EQ(renewal->plain.at("leaf_sha256"), info.leaf_sha256);

  Event revoked = events[0];
  revoked.type = certificate::kCertificateRevoked;
  revoked.payload = certificate::Encode(certificate::CertificateRevoked{"key compromised"});
  Result<IntentChange> revocation = DecodeOne(kind, revoked);
  ASSERT_TRUE(revocation.ok());
  EXPECT_EQ(revocation->what, IntentChange::What::kClear);
  EXPECT_THAT(revocation->plain, IsEmpty());
  EXPECT_THAT(revocation->sealed, IsEmpty());

  Result<IntentChange> bookkeeping = DecodeOne(kind, events[1]);  // SideApplied
  ASSERT_TRUE(bookkeeping.ok());
  EXPECT_EQ(bookkeeping->what, IntentChange::What::kNone);

  Event garbled = events[0];
  garbled.payload = "\x01garbage";
  Result<IntentChange> broken = DecodeOne(kind, garbled);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(broken.status().message(), HasSubstr("CertificateIssued"));
}

TEST_F(CertificateKindTest, DescribeShowsTheCertificatesFingerprintAndNeverItsKey) {
  const SelfSigned cert = Make("api.example.test");
  ASSERT_TRUE(Import(cert).ok());
  const Event issued = Events().at(0);
  const std::string key_pem(cert.key_pem.Reveal());
  ASSERT_THAT(key_pem, HasSubstr("PRIVATE KEY"));
  EXPECT_EQ(issued.payload.find(key_pem), std::string::npos);

  // Through the generic entry point tools use: the kind is found from the stream.
  const EventFields fields = DescribeEventFields(issued, keys_);
  std::vector<std::string> names;
  for (const ShownField& f : fields) {
    names.push_back(f.name);
    EXPECT_EQ(f.text.find(key_pem), std::string::npos) << f.name;
    EXPECT_EQ(f.text.find("PRIVATE KEY"), std::string::npos) << f.name;
    EXPECT_EQ(f.text.find("BEGIN"), std::string::npos) << f.name;  // not even the chain
  }
  EXPECT_THAT(names, ElementsAre("fingerprint", "leaf_sha256", "subject_cn", "not_after", "source"));
  const CertificateInfo info = Info(cert);
  EXPECT_EQ(ShownText(fields, "fingerprint"), "sha256:" + info.leaf_sha256.substr(0, 16));
  EXPECT_EQ(ShownText(fields, "leaf_sha256"), info.leaf_sha256);
  EXPECT_EQ(ShownText(fields, "subject_cn"), "api.example.test");
  EXPECT_EQ(ShownText(fields, "not_after"), FormatUnixTime(info.not_after));
  EXPECT_EQ(ShownText(fields, "source"), "import");

  Event revoked = issued;
  revoked.type = certificate::kCertificateRevoked;
  revoked.payload = certificate::Encode(certificate::CertificateRevoked{"key compromised"});
  std::optional<EventFields> shown = certificate::Describe(revoked, keys_);
  ASSERT_TRUE(shown.has_value());
  EXPECT_EQ(*shown, (EventFields{ShownField::Text("reason", "key compromised")}));
  EXPECT_FALSE(certificate::Describe(Events().at(1), keys_).has_value());  // SideApplied: not the kind's
}

TEST_F(CertificateKindTest, DescribeReportsAKeyThatDoesNotOpenWithoutShowingIt) {
  const SelfSigned cert = Make("api.example.test");
  ASSERT_TRUE(Import(cert).ok());
  const KeyRing other_keys(Secret(std::string(kKeyFileBytes, 'x')));
  std::optional<EventFields> fields = certificate::Describe(Events().at(0), other_keys);
  ASSERT_TRUE(fields.has_value());
  const ShownField* error = FindShownField(*fields, "error");
  ASSERT_NE(error, nullptr);
  EXPECT_FALSE(error->text.empty());
  EXPECT_EQ(ShownText(*fields, "subject_cn"), "api.example.test");  // the public part is still shown
  for (const ShownField& f : *fields) EXPECT_EQ(f.text.find("PRIVATE KEY"), std::string::npos) << f.name;
}

TEST_F(CertificateKindTest, AnObserveOnlySideServingAnotherCertificateIsForeignAndNeverWritten) {
  const SelfSigned served = Make("old-server.example.test");
  const CertificateInfo served_info = Info(served);
  Fake("b").SetWritable(false);
  Fake("b").Hold(Record{{"leaf_sha256", Secret(served_info.leaf_sha256)},
                        {"not_after", Secret(std::to_string(served_info.not_after))}});

  Result<OperationReport> imported = Import(Make("api.example.test"));
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  ASSERT_EQ(imported->sides.size(), 2U);
  EXPECT_TRUE(imported->sides[0].ok);
  EXPECT_FALSE(imported->sides[1].ok);
  EXPECT_THAT(imported->sides[1].message, HasSubstr("fake b is observe-only and has no on_repair to reload it"));
  EXPECT_EQ(Types(), (std::vector<std::string>{"CertificateIssued", "SideApplied"}));

  SeamContext ctx = Ctx();
  Result<SeamReport> pass = RunPass(ctx, seam_, PassMode::kRepair);
  ASSERT_TRUE(pass.ok());
  ASSERT_EQ(pass->sides.size(), 2U);
  EXPECT_EQ(pass->sides[0].judgement.verdict, Verdict::kInSync);
  const SideReport& b = pass->sides[1];
  EXPECT_EQ(b.judgement.verdict, Verdict::kForeign);
  EXPECT_EQ(b.judgement.fingerprint, "sha256:" + served_info.leaf_sha256.substr(0, 16));
  EXPECT_EQ(b.action, "skipped");
  EXPECT_THAT(b.action_detail, HasSubstr("is observe-only; set on_repair"));
  EXPECT_THAT(pass->pending_sides, IsEmpty());  // observe-only without a hook: never pending
  EXPECT_THAT(pass->errors, IsEmpty());
  EXPECT_EQ(pass->status, "drift");
  EXPECT_EQ(pass->ExitCode(), 1);
  EXPECT_EQ(Types().back(), "DriftOpened");
  const drift::DriftOpened opened = drift::DecodeDriftOpened(Events().back().payload).value();
  EXPECT_EQ(opened.side, "b");
  EXPECT_EQ(opened.verdict, "foreign");
  EXPECT_EQ(HeldOn("b", "leaf_sha256"), served_info.leaf_sha256);
  EXPECT_EQ(Fake("b").writes(), 0);
}

// A server that serves the right leaf without an intermediate the chain on record has (nginx's
// ssl_certificate naming cert.pem instead of fullchain.pem; ingress-nginx#9305) is lagging, with
// a detail saying so; one that sends the whole chain, or does not say what it sends, is in sync.
TEST_F(CertificateKindTest, ALeafServedWithoutAnIntermediateOnRecordIsLagging) {
  const SelfSigned leaf = Make("api.example.test");
  const SelfSigned intermediate = Make("intermediate-ca.example.test");
  ASSERT_TRUE(Import(SelfSigned{leaf.chain_pem + intermediate.chain_pem, leaf.key_pem}).ok());
  const CertificateInfo info = Info(leaf);
  const std::string inter_sha = Info(intermediate).leaf_sha256;
  Fake("b").SetCarriedFields({"chain_rest_sha256"});
  auto serve = [&](std::optional<std::string> rest) {
    Record r{{"leaf_sha256", Secret(info.leaf_sha256)}, {"not_after", Secret(std::to_string(info.not_after))}};
    if (rest) r.emplace("chain_rest_sha256", Secret(*rest));
    Fake("b").Hold(std::move(r));
    SeamContext ctx = Ctx();
    Result<SeamReport> pass = RunPass(ctx, seam_, PassMode::kCheck);
    EXPECT_TRUE(pass.ok());
    return pass.ok() ? pass->sides.at(1).judgement : Judgement{};
  };
  const Judgement leaf_alone = serve("");
  EXPECT_EQ(leaf_alone.verdict, Verdict::kLagging);
  EXPECT_EQ(leaf_alone.holds_version, 1);
  EXPECT_THAT(leaf_alone.detail,
              HasSubstr("holds rev 1 without 1 of the 1 intermediate certificate(s) of the chain on record (sha256:" +
                        inter_sha.substr(0, 16) + "): clients that do not already have them cannot verify it"));
  EXPECT_EQ(serve("0000" + inter_sha.substr(4)).verdict, Verdict::kLagging);  // another intermediate
  EXPECT_EQ(serve(inter_sha).verdict, Verdict::kInSync);
  EXPECT_EQ(serve(inter_sha + "," + info.leaf_sha256).verdict, Verdict::kInSync);  // more is not less
  EXPECT_EQ(serve(std::nullopt).verdict, Verdict::kInSync);  // a side that does not say
}

TEST_F(CertificateKindTest, ACertificateWithinRenewBeforeOfItsEndIsExpiringNotDrift) {
  seam_.renew_before_us = 30 * kDay * 1'000'000;
  SeamContext ctx = Ctx();
  ASSERT_TRUE(IssueSelfSignedCertificate(ctx, seam_, "api.example.test", 10).ok());
  const std::size_t recorded = Types().size();

  Result<SeamReport> pass = RunPass(ctx, seam_, PassMode::kRepair);
  ASSERT_TRUE(pass.ok());
  for (const SideReport& s : pass->sides) {
    EXPECT_EQ(s.judgement.verdict, Verdict::kExpiring) << s.name;
    EXPECT_THAT(s.judgement.detail, HasSubstr("it expires in 10 days (renew_before)")) << s.name;
    EXPECT_EQ(s.action, "") << s.name;
  }
  EXPECT_EQ(pass->status, "expiring");
  EXPECT_EQ(pass->ExitCode(), 1);
  // Nothing to repair (writing it again would not help); the log says it is expiring, once.
  ASSERT_EQ(Types().size(), recorded + 1);
  EXPECT_EQ(Types().back(), "SeamExpiring");
  const drift::SeamExpiring expiring = drift::DecodeSeamExpiring(Events().back().payload).value();
  EXPECT_EQ(expiring.sides.size(), pass->sides.size());
  EXPECT_EQ(expiring.not_after, pass->sides[0].not_after);
  EXPECT_EQ(Fake("a").writes(), 1);
  ASSERT_TRUE(RunPass(ctx, seam_, PassMode::kRepair).ok());
  EXPECT_EQ(Types().size(), recorded + 1) << "still expiring: nothing new";
  // Under a shorter renew_before it is not expiring any more: the log says so, once.
  seam_.renew_before_us = 5 * kDay * 1'000'000;
  ASSERT_TRUE(RunPass(ctx, seam_, PassMode::kRepair).ok());
  EXPECT_EQ(Types().back(), "ExpiringEnded");
  ASSERT_TRUE(RunPass(ctx, seam_, PassMode::kRepair).ok());
  EXPECT_EQ(Types().size(), recorded + 2);
}

// What a pem-file side reports of a pair: the fields it is compared by, and the chain and key.
Record PairRecord(const std::string& chain, const Secret& key, bool key_matches = true) {
  Result<CertificateInfo> info = ParseCertificateChain(chain);
  EXPECT_TRUE(info.ok()) << info.status().ToString();
  Record r{{"chain", Secret(chain)}, {"key", key}, {"key_matches", Secret(std::string(key_matches ? "true" : "false"))}};
  if (info.ok()) {
    r.emplace("leaf_sha256", Secret(info->leaf_sha256));
    r.emplace("not_after", Secret(std::to_string(info->not_after)));
  }
  return r;
}

// A pair another tool renewed on a pem side: adopted (CertificateAdopted, the key sealed), then
// written to the other sides.
TEST_F(CertificateKindTest, APairOnASideIsAdoptedWithItsKeySealed) {
  ASSERT_TRUE(Import(Make("api.example.test")).ok());
  const SelfSigned renewed = Make("api.example.test");
  const CertificateInfo info = Info(renewed);
  Fake("a").Hold(PairRecord(renewed.chain_pem, renewed.key_pem));
  SeamContext ctx = Ctx();
  Result<OperationReport> adopted = AdoptValue(ctx, seam_, "a");
  ASSERT_TRUE(adopted.ok()) << adopted.status().ToString();
  EXPECT_TRUE(adopted->AllSidesWritten());
  EXPECT_EQ(adopted->fingerprint, "sha256:" + info.leaf_sha256.substr(0, 16));

  const std::vector<Event> events = Events();
  auto at = std::find_if(events.begin(), events.end(), [](const Event& e) { return e.type == "CertificateAdopted"; });
  ASSERT_NE(at, events.end());
  Result<certificate::CertificateAdopted> p = certificate::DecodeAdopted(at->payload);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->leaf_sha256, info.leaf_sha256);
  EXPECT_EQ(p->chain_pem, renewed.chain_pem);
  EXPECT_EQ(p->not_after, info.not_after);
  EXPECT_EQ(p->subject_cn, "api.example.test");
  EXPECT_EQ(p->sans, std::vector<std::string>{"api.example.test"});
  EXPECT_EQ(p->issuer, "CN=api.example.test");
  EXPECT_EQ(p->side, "a");
  EXPECT_EQ(p->reason, "seamctl adopt");
  const std::string key(renewed.key_pem.Reveal());
  EXPECT_EQ(at->payload.find(key.substr(40, 32)), std::string::npos);  // sealed, not in the payload
  Result<Secret> opened = keys_.Open(p->sealed_key, SealContext(at->stream, at->version));
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(std::string(opened->Reveal()), key);

  // What people see of it, and the record it makes: side b now holds the adopted certificate.
  std::optional<EventFields> shown = certificate::Describe(*at, keys_);
  ASSERT_TRUE(shown.has_value());
  EXPECT_EQ(ShownText(*shown, "fingerprint"), "sha256:" + info.leaf_sha256.substr(0, 16));
  EXPECT_EQ(ShownText(*shown, "sans"), "api.example.test");
  EXPECT_EQ(ShownText(*shown, "side"), "a");
  EXPECT_EQ(HeldOn("b", "leaf_sha256"), info.leaf_sha256);
  Result<SeamReport> check = RunPass(ctx, seam_, PassMode::kCheck);
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check->ExitCode(), 0);
}

// A pair that `cert import` would refuse is not adopted either: nothing recorded, nothing written.
TEST_F(CertificateKindTest, APairThatImportWouldRefuseIsNotAdopted) {
  ASSERT_TRUE(Import(Make("api.example.test")).ok());
  const SelfSigned renewed = Make("api.example.test");
  const SelfSigned other = Make("other.example.test");
  Result<SelfSigned> expired = MakeSelfSignedCertificate("api.example.test", 1, NowSeconds() - 5 * kDay);
  ASSERT_TRUE(expired.ok());
  const CertificateInfo fields_only = Info(other);
  struct Case {
    Record held;
    std::string why;
  };
  const std::vector<Case> cases = {
      {Record{{"leaf_sha256", Secret(fields_only.leaf_sha256)},
              {"not_after", Secret(std::to_string(fields_only.not_after))},
              {"key_matches", Secret(std::string("true"))}},
       "the side reports no chain and key"},
      {PairRecord(renewed.chain_pem, other.key_pem, false), "the private key is not the key of the chain's leaf certificate"},
      {PairRecord(expired->chain_pem, expired->key_pem), "the leaf certificate expired at "},
      {PairRecord(renewed.chain_pem + other.chain_pem, renewed.key_pem),
       "certificate 2 of the chain did not issue the one before it"},
  };
  for (const Case& c : cases) {
    Fake("a").Hold(c.held);
    const std::size_t recorded = Types().size();
    const int writes = Fake("b").writes();
    SeamContext ctx = Ctx();
    Result<OperationReport> adopted = AdoptValue(ctx, seam_, "a");
    ASSERT_FALSE(adopted.ok()) << c.why;
    EXPECT_EQ(adopted.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_THAT(adopted.status().message(),
                HasSubstr("side a of seam s holds a certificate that cannot be adopted: " + c.why));
    EXPECT_EQ(Types().size(), recorded);
    EXPECT_EQ(Fake("b").writes(), writes);
  }
}

}  // namespace
}  // namespace seam::testing
