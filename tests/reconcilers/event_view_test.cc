// What people see of each event: every kind's own events (found by the stream's kind), the
// bookkeeping and drift records, and what a payload that does not decode or unseal shows.
#include "reconcilers/event_view.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "core/crypto.h"
#include "core/x509.h"
#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/certificate/certificate_events.h"
#include "reconcilers/certificate/certificate_kind.h"
#include "reconcilers/drift_events.h"
#include "reconcilers/pairing/pairing_events.h"
#include "reconcilers/pairing/pairing_kind.h"
#include "reconcilers/token/token_events.h"
#include "reconcilers/token/token_kind.h"
#include "reconcilers/value/value_events.h"

namespace seam {

// For readable failures.
void PrintTo(const ShownField& f, std::ostream* os) {
  *os << f.name << "=";
  switch (f.type) {
    case ShownField::Type::kText: *os << '"' << f.text << '"'; break;
    case ShownField::Type::kInt: *os << f.number; break;
    case ShownField::Type::kBool: *os << (f.flag ? "true" : "false"); break;
    case ShownField::Type::kTime: *os << "time(" << f.number << ")"; break;
  }
}

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using Field = ShownField;

constexpr char kTokenStream[] = "token/device-42";
constexpr char kPairingStream[] = "pairing/device-7";
constexpr char kCertStream[] = "certificate/www";
constexpr char kSecret[] = "plaintext-secret-value";

std::vector<std::string> Names(const EventFields& fields) {
  std::vector<std::string> out;
  for (const Field& f : fields) out.push_back(f.name);
  return out;
}

class EventViewTest : public ::testing::Test {
 protected:
  EventViewTest() : keys_(Secret(std::string(kKeyFileBytes, 'k'))), other_keys_(Secret(std::string(kKeyFileBytes, 'o'))) {}

  static Event Make(const std::string& stream, const std::string& type, std::string payload) {
    Event e;
    e.seq = 9;
    e.stream = stream;
    e.version = 3;
    e.type = type;
    e.actor = "test";
    e.payload = std::move(payload);
    return e;
  }
  // `value` sealed for the event Make(stream, ...) builds, under `keys`.
  static std::string Seal(const KeyRing& keys, const std::string& stream, const std::string& value = kSecret) {
    return keys.Seal(Secret(value), SealContext(stream, 3)).value();
  }
  std::string Fp(const std::string& value = kSecret) const { return keys_.Fingerprint(Secret(value)); }
  EventFields Describe(const Event& e) const { return DescribeEventFields(e, keys_); }

  static certificate::CertificateSet Cert(std::string sealed_key) {
    return certificate::CertificateSet{"-----BEGIN CERTIFICATE-----", std::move(sealed_key),
                                       "0123456789abcdef0123456789abcdef", 1'900'000'000, "www.example.test",
                                       "import"};
  }

  KeyRing keys_;
  KeyRing other_keys_;
};

// --- token ---

TEST_F(EventViewTest, TokenValueEventsShowTheFingerprint) {
  for (const char* type : {token::kTokenIssued, token::kTokenRotated}) {
    Event e = Make(kTokenStream, type, token::Encode(token::TokenValueSet{Seal(keys_, kTokenStream)}));
    EXPECT_THAT(Describe(e), ElementsAre(Field::Text("fingerprint", Fp()))) << type;
  }
}

TEST_F(EventViewTest, TokenAdoptedShowsSideFingerprintReason) {
  Event e = Make(kTokenStream, token::kTokenAdopted,
                 token::Encode(token::TokenAdopted{"cli", Seal(keys_, kTokenStream), "seamctl adopt"}));
  EXPECT_THAT(Describe(e), ElementsAre(Field::Text("side", "cli"), Field::Text("fingerprint", Fp()),
                                       Field::Text("reason", "seamctl adopt")));
}

TEST_F(EventViewTest, TokenRevokedShowsTheReason) {
  Event e = Make(kTokenStream, token::kTokenRevoked, token::Encode(token::TokenRevoked{"leaked"}));
  EXPECT_THAT(Describe(e), ElementsAre(Field::Text("reason", "leaked")));
}

TEST_F(EventViewTest, ATokenSealedUnderAnotherKeyShowsAnErrorInsteadOfTheFingerprint) {
  Event e = Make(kTokenStream, token::kTokenAdopted,
                 token::Encode(token::TokenAdopted{"cli", Seal(other_keys_, kTokenStream), "authority"}));
  EventFields f = Describe(e);
  EXPECT_THAT(Names(f), ElementsAre("side", "error", "reason"));
  EXPECT_EQ(f[1].type, Field::Type::kText);
  EXPECT_FALSE(f[1].text.empty());
}

// --- pairing ---

TEST_F(EventViewTest, PairingCreatedShowsItsFieldsInOrder) {
  pairing::PairingSet p{"dev-7", Seal(keys_, kPairingStream), "https://gw.test", "2027-01-02T03:04:05Z", "", ""};
  Event e = Make(kPairingStream, pairing::kPairingCreated, pairing::Encode(p));
  EXPECT_THAT(Describe(e), ElementsAre(Field::Text("device_id", "dev-7"), Field::Text("fingerprint", Fp()),
                                       Field::Text("gateway_url", "https://gw.test"),
                                       Field::Text("paired_at", "2027-01-02T03:04:05Z")));
}

TEST_F(EventViewTest, PairingWithoutGatewayUrlLeavesItOut) {
  pairing::PairingSet p{"dev-7", Seal(keys_, kPairingStream), "", "2027-01-02T03:04:05Z", "", ""};
  Event e = Make(kPairingStream, pairing::kPairingCreated, pairing::Encode(p));
  EXPECT_THAT(Names(Describe(e)), ElementsAre("device_id", "fingerprint", "paired_at"));
}

TEST_F(EventViewTest, PairingAdoptedAddsSideAndReason) {
  pairing::PairingSet p{"dev-7", Seal(keys_, kPairingStream), "", "2027-01-02T03:04:05Z", "gateway", "authority"};
  Event e = Make(kPairingStream, pairing::kPairingAdopted, pairing::Encode(p));
  EXPECT_THAT(Describe(e), ElementsAre(Field::Text("device_id", "dev-7"), Field::Text("fingerprint", Fp()),
                                       Field::Text("paired_at", "2027-01-02T03:04:05Z"),
                                       Field::Text("side", "gateway"), Field::Text("reason", "authority")));
}

TEST_F(EventViewTest, PairingTokenRotatedAndRemoved) {
  Event rotated = Make(kPairingStream, pairing::kPairingTokenRotated,
                       pairing::Encode(pairing::PairingTokenRotated{Seal(keys_, kPairingStream)}));
  EXPECT_THAT(Describe(rotated), ElementsAre(Field::Text("fingerprint", Fp())));
  Event removed = Make(kPairingStream, pairing::kPairingRemoved, pairing::Encode(pairing::PairingRemoved{"sold"}));
  EXPECT_THAT(Describe(removed), ElementsAre(Field::Text("reason", "sold")));
}

TEST_F(EventViewTest, APairingTokenSealedUnderAnotherKeyShowsAnErrorInItsPlace) {
  pairing::PairingSet p{"dev-7", Seal(other_keys_, kPairingStream), "", "2027-01-02T03:04:05Z", "", ""};
  Event e = Make(kPairingStream, pairing::kPairingCreated, pairing::Encode(p));
  EXPECT_THAT(Names(Describe(e)), ElementsAre("device_id", "error", "paired_at"));
}

// --- certificate ---

TEST_F(EventViewTest, CertificateIssuedAndRenewedShowThePublicFingerprint) {
  for (const char* type : {certificate::kCertificateIssued, certificate::kCertificateRenewed}) {
    Event e = Make(kCertStream, type, certificate::Encode(Cert(Seal(keys_, kCertStream))));
    EXPECT_THAT(Describe(e), ElementsAre(Field::Text("fingerprint", "sha256:0123456789abcdef"),
                                         Field::Text("leaf_sha256", "0123456789abcdef0123456789abcdef"),
                                         Field::Text("subject_cn", "www.example.test"),
                                         Field::Text("not_after", FormatUnixTime(1'900'000'000)),
                                         Field::Text("source", "import")))
        << type;
  }
}

TEST_F(EventViewTest, ACertificateKeyThatDoesNotOpenAddsAnError) {
  Event e = Make(kCertStream, certificate::kCertificateIssued, certificate::Encode(Cert(Seal(other_keys_, kCertStream))));
  EXPECT_THAT(Names(Describe(e)), ElementsAre("fingerprint", "leaf_sha256", "subject_cn", "not_after", "source", "error"));
}

TEST_F(EventViewTest, CertificateRevokedShowsTheReason) {
  Event e = Make(kCertStream, certificate::kCertificateRevoked, certificate::Encode(certificate::CertificateRevoked{"key lost"}));
  EXPECT_THAT(Describe(e), ElementsAre(Field::Text("reason", "key lost")));
}

// --- bookkeeping ---

TEST_F(EventViewTest, SideAppliedShowsSideAndVersion) {
  Event e = Make(kTokenStream, bookkeeping::kSideApplied, bookkeeping::Encode(bookkeeping::SideApplied{"cli", 2}));
  EXPECT_THAT(Describe(e), ElementsAre(Field::Text("side", "cli"), Field::Int("version", 2)));
}

TEST_F(EventViewTest, SideRepairedShowsItsFieldsAndWhetherAForeignValueWasKept) {
  bookkeeping::SideRepaired p{"cli", 2, "write", "foreign", 0, "fp:abcdefabcdef", ""};
  Event plain = Make(kTokenStream, bookkeeping::kSideRepaired, bookkeeping::Encode(p));
  EXPECT_THAT(Describe(plain), ElementsAre(Field::Text("side", "cli"), Field::Int("version_written", 2),
                                           Field::Text("action", "write"), Field::Text("verdict_before", "foreign"),
                                           Field::Int("held_version", 0),
                                           Field::Text("fingerprint_before", "fp:abcdefabcdef")));
  p.sealed_before = Seal(keys_, kTokenStream, R"({"token":"plaintext-secret-value"})");
  EventFields kept = Describe(Make(kTokenStream, bookkeeping::kSideRepaired, bookkeeping::Encode(p)));
  ASSERT_EQ(kept.size(), 7u);
  EXPECT_EQ(kept.back(), Field::Bool("foreign_value_kept", true));
}

TEST_F(EventViewTest, AForeignValueThatDoesNotOpenShowsNotKeptAndAnError) {
  bookkeeping::SideRepaired p{"cli", 2, "write", "foreign", 0, "fp:abcdefabcdef", Seal(other_keys_, kTokenStream)};
  EventFields f = Describe(Make(kTokenStream, bookkeeping::kSideRepaired, bookkeeping::Encode(p)));
  EXPECT_THAT(Names(f), ElementsAre("side", "version_written", "action", "verdict_before", "held_version",
                                    "fingerprint_before", "foreign_value_kept", "error"));
  EXPECT_EQ(f[6], Field::Bool("foreign_value_kept", false));
}

TEST_F(EventViewTest, FlappingAndItsClearing) {
  Event flapping = Make(kTokenStream, bookkeeping::kSeamFlapping, bookkeeping::Encode(bookkeeping::SeamFlapping{"cli", 5, 60}));
  EXPECT_THAT(Describe(flapping),
              ElementsAre(Field::Text("side", "cli"), Field::Int("repairs", 5), Field::Int("window_s", 60)));
  Event cleared = Make(kTokenStream, bookkeeping::kFlappingCleared, bookkeeping::Encode(bookkeeping::FlappingCleared{"forced"}));
  EXPECT_THAT(Describe(cleared), ElementsAre(Field::Text("reason", "forced")));
}

// --- drift records ---

TEST_F(EventViewTest, DriftOpenedShowsItsFieldsWithTimes) {
  drift::DriftOpened p{"s", "cli", "lagging", 1, "fp:abcdefabcdef", "token differs", 2, 0, 2'000, 1'000};
  Event e = Make(kPairingStream, drift::kDriftOpened, drift::Encode(p));
  EXPECT_THAT(Describe(e), ElementsAre(Field::Text("seam", "s"), Field::Text("side", "cli"),
                                       Field::Text("verdict", "lagging"), Field::Int("holds_version", 1),
                                       Field::Text("fingerprint", "fp:abcdefabcdef"),
                                       Field::Text("detail", "token differs"), Field::Int("intended_version", 2),
                                       Field::Time("last_in_sync_at", 0), Field::Time("first_seen_at", 2'000),
                                       Field::Time("side_changed_at", 1'000)));
}

TEST_F(EventViewTest, DriftClosedAndSideRestarted) {
  Event closed = Make(kCertStream, drift::kDriftClosed, drift::Encode(drift::DriftClosed{"cli", "repaired", 4, "SideRepaired", 7}));
  EXPECT_THAT(Describe(closed), ElementsAre(Field::Text("side", "cli"), Field::Text("how", "repaired"),
                                            Field::Int("opened_version", 4), Field::Text("cause", "SideRepaired"),
                                            Field::Time("at", 7)));
  Event restarted = Make(kTokenStream, drift::kSideRestarted, drift::Encode(drift::SideRestarted{"gw", "boot-2", "", 0}));
  EXPECT_THAT(Describe(restarted), ElementsAre(Field::Text("side", "gw"), Field::Text("marker", "boot-2"),
                                               Field::Text("previous_marker", ""), Field::Time("started_at", 0)));
}

// --- what does not decode, what is not known ---

TEST_F(EventViewTest, APayloadThatDoesNotDecodeShowsOnlyAnError) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {kTokenStream, token::kTokenRotated},       {kTokenStream, token::kTokenAdopted},
      {kPairingStream, pairing::kPairingCreated}, {kCertStream, certificate::kCertificateIssued},
      {kTokenStream, bookkeeping::kSideRepaired}, {kTokenStream, drift::kDriftOpened}};
  // A payload cut short: the class version, then a string said to be 5 bytes long with 2 there.
  const std::string cut = std::string("\x01\x01\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00", 13) + "ab";
  // A string said to be 2^60 bytes long: refused before cereal allocates it (tests/fuzz
  // event_payload found the allocation: every reader of a log holding such a row would try it).
  const std::string huge = std::string("\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10", 13) + "ab";
  for (const std::string& payload : {cut, huge}) {
    for (const auto& [stream, type] : cases) {
      EventFields f = Describe(Make(stream, type, payload));
      ASSERT_EQ(f.size(), 1u) << type;
      EXPECT_EQ(f[0].name, "error");
      EXPECT_THAT(f[0].text, HasSubstr("does not decode"));
    }
  }
  EXPECT_THAT(Describe(Make(kTokenStream, token::kTokenRotated, huge))[0].text,
              HasSubstr("a length of 1152921504606846976 with 2 bytes left"));
}

// A flag is the byte 0 or 1; another byte read into a bool is undefined behaviour (tests/fuzz
// event_payload, under UBSan), so it does not decode.
TEST_F(EventViewTest, AFlagThatIsNeitherZeroNorOneDoesNotDecode) {
  const std::string stream = "value/api-url";
  const std::string payload = value::Encode(value::ValueSet{false, "", "https://api.example", true});
  ASSERT_NE(Describe(Make(stream, value::kValueSet, payload))[0].name, "error");
  // Each byte that is 0 or 1 set to 2 in turn: the flags (`secret`, `generated`) are among them.
  int refused = 0;
  for (std::size_t i = 0; i < payload.size(); ++i) {
    if (payload[i] != 0 && payload[i] != 1) continue;
    std::string bad = payload;
    bad[i] = 2;
    EventFields f = Describe(Make(stream, value::kValueSet, bad));
    if (f.size() == 1 && f[0].name == "error" && f[0].text.find("a flag of 2, neither 0 nor 1") != std::string::npos) ++refused;
  }
  EXPECT_EQ(refused, 2);
}

TEST_F(EventViewTest, AnUnknownTypeShowsItsSize) {
  EXPECT_THAT(Describe(Make(kTokenStream, "TokenFrobbed", "12345")), ElementsAre(Field::Int("payload_bytes", 5)));
}

TEST_F(EventViewTest, AKindDescribesOnlyTheEventsOfItsOwnStreams) {
  const std::string payload = token::Encode(token::TokenValueSet{Seal(keys_, kPairingStream)});
  auto size = static_cast<std::int64_t>(payload.size());
  EXPECT_THAT(Describe(Make(kPairingStream, token::kTokenRotated, payload)), ElementsAre(Field::Int("payload_bytes", size)));
  EXPECT_THAT(Describe(Make("widget/x", token::kTokenRotated, payload)), ElementsAre(Field::Int("payload_bytes", size)));
  EXPECT_THAT(Describe(Make("token", token::kTokenRotated, payload)), ElementsAre(Field::Int("payload_bytes", size)));
}

TEST_F(EventViewTest, NoFieldHoldsAPlaintextSecret) {
  pairing::PairingSet ps{"dev-7", Seal(keys_, kPairingStream), "", "2027-01-02T03:04:05Z", "gw", "authority"};
  bookkeeping::SideRepaired repaired{"cli", 2, "write", "foreign", 0, Fp(), Seal(keys_, kTokenStream, kSecret)};
  const std::vector<Event> events = {
      Make(kTokenStream, token::kTokenRotated, token::Encode(token::TokenValueSet{Seal(keys_, kTokenStream)})),
      Make(kTokenStream, token::kTokenAdopted, token::Encode(token::TokenAdopted{"cli", Seal(keys_, kTokenStream), "r"})),
      Make(kPairingStream, pairing::kPairingAdopted, pairing::Encode(ps)),
      Make(kCertStream, certificate::kCertificateIssued, certificate::Encode(Cert(Seal(keys_, kCertStream)))),
      Make(kTokenStream, bookkeeping::kSideRepaired, bookkeeping::Encode(repaired))};
  for (const Event& e : events) {
    for (const Field& f : Describe(e)) {
      EXPECT_THAT(f.text, Not(HasSubstr(kSecret))) << e.type << " " << f.name;
      if (f.name == "fingerprint" && e.stream != kCertStream) {
        EXPECT_THAT(f.text, StartsWith("fp:"));
      }
    }
  }
}

// --- what people call each kind's operations ---

TEST_F(EventViewTest, EachKindNamesItsOperations) {
  EXPECT_EQ(token::TokenKind().operation_nouns.at(token::kTokenRotated), "rotation");
  EXPECT_EQ(token::TokenKind().operation_nouns.at(token::kTokenRevoked), "revocation");
  EXPECT_EQ(pairing::PairingKind().operation_nouns.at(pairing::kPairingTokenRotated), "token rotation");
  EXPECT_EQ(pairing::PairingKind().operation_nouns.at(pairing::kPairingRemoved), "unpairing");
  EXPECT_EQ(certificate::CertificateKind().operation_nouns.at(certificate::kCertificateRenewed), "renewal");
  EXPECT_FALSE(token::TokenKind().operation_nouns.contains(pairing::kPairingCreated));
}

TEST_F(EventViewTest, EveryNamedOperationIsDescribedByItsKind) {
  for (const KindSpec* kind : {&token::TokenKind(), &pairing::PairingKind(), &certificate::CertificateKind()}) {
    ASSERT_NE(kind->describe, nullptr);
    for (const auto& [type, noun] : kind->operation_nouns) {
      Event e = Make(kind->fields.kind + "/x", type, "\x01");
      EXPECT_TRUE(kind->describe(e, keys_).has_value()) << type;  // known: an error, not nullopt
    }
  }
}

}  // namespace
}  // namespace seam
