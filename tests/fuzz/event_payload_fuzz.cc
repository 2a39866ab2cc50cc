// Event payloads as every reader of the log decodes them (cereal portable binary; secrets
// sealed with AES-256-GCM): the input picks a stream kind, an event type and a version, the rest
// is the payload. It goes through what `seamctl log`/`audit` show (DescribeEventFields: decoding,
// unsealing to a keyed fingerprint) and through the kind's replay step (KindSpec::decode, which
// computes the intended record). The key is fixed (below), so seeds sealed with it reach the
// unseal's success path (tests/fuzz/corpus/event_payload). Checked: a decode that fails says so
// in a field, never by crashing or allocating what the payload's length prefixes claim.
#include <array>
#include <string>

#include "core/crypto.h"
#include "core/event.h"
#include "reconcilers/event_view.h"
#include "reconcilers/kind.h"
#include "reconcilers/kinds.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

constexpr std::array<const char*, 4> kKinds = {"token", "pairing", "certificate", "value"};
constexpr std::array<const char*, 31> kTypes = {
    "CertificateAdopted", "CertificateIssued", "CertificateRenewed", "CertificateRevoked", "DriftClosed",
    "DriftOpened",        "ExpiringEnded",     "FlappingCleared",    "HookIneffective",    "LogStarted",
    "OperationPending",   "PairingAdopted",    "PairingCreated",     "PairingRemoved",     "PairingTokenRotated",
    "PendingEnded",       "RepairStarted",     "SeamExpiring",       "SeamFlapping",       "SideApplied",
    "SideReadable",       "SideRepaired",      "SideRestarted",      "SideUnreadable",     "TokenAdopted",
    "TokenIssued",        "TokenRevoked",      "TokenRotated",       "ValueAdopted",       "ValueSet",
    "ValueUnset"};

}  // namespace

// The fuzz key: 32 bytes 0x01..0x20. Not a secret; tests/fuzz/seed_event_payloads writes the
// seeds sealed with it.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const seam::KeyRing* keys = [] {
    std::string master(seam::kKeyFileBytes, '\0');
    for (std::size_t i = 0; i < master.size(); ++i) master[i] = static_cast<char>(i + 1);
    return new seam::KeyRing(seam::Secret(master));
  }();
  if (size < 3) return 0;
  seam::Event event;
  const char* kind = kKinds[data[0] % kKinds.size()];
  event.stream = std::string(kind) + "/fuzzed";
  event.type = kTypes[data[1] % kTypes.size()];
  event.version = 1 + data[2];
  event.seq = event.version;
  event.time_us = 1796000000LL * 1000000;
  event.actor = "fuzz";
  event.payload.assign(reinterpret_cast<const char*>(data + 3), size - 3);

  const seam::EventFields fields = seam::DescribeEventFields(event, *keys);
  for (const seam::ShownField& f : fields) {
    if (f.name.empty()) seam::fuzz::FuzzFail("a shown field without a name");
  }
  if (const seam::KindSpec* spec = seam::FindKindSpec(kind); spec != nullptr && spec->decode != nullptr) {
    seam::IntentChange change;
    const seam::Status decoded = spec->decode(event, change);
    if (!decoded.ok() && decoded.message().empty()) seam::fuzz::FuzzFail("a decode error without a message");
  }
  return 0;
}
