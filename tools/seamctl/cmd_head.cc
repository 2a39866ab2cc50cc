// seamctl head, and the check of a head kept outside the log that `seamctl verify --head` runs.
//
// Why: the hash chain proves that no event was altered *relative to the events after it*. Someone
// who can write the database can still drop the tail, or rewrite an event and re-chain every
// hash after it: the chain is then intact again. A head (seq + hash) copied somewhere that
// person cannot write pins the log: the event at that seq must still exist with that hash.
#include <algorithm>
#include <charconv>
#include <fstream>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/hash_chain.h"
#include "tools/common/state_context.h"
#include "tools/seamctl/commands.h"

namespace seam::seamctl {
namespace {

// A head file is one small JSON object; anything much larger is not one.
constexpr std::size_t kMaxHeadFileBytes = 4096;

// `where` names the flag (and file) in every message.
Result<KeptHead> ValidateHead(const std::string& where, std::int64_t seq, const std::string& hex) {
  KeptHead head;
  head.seq = seq;
  if (!HashFromHex(hex, &head.hash)) {
    return Status::InvalidArgument(where + ": the hash must be 64 hex characters (as `seamctl head` prints it), got " +
                                   std::to_string(hex.size()) + " characters" +
                                   (hex.size() == 64 ? " that are not all hex" : ""));
  }
  if (seq == 0 && head.hash != kGenesisHash) {
    return Status::InvalidArgument(where + ": seq 0 is the empty log, whose hash is 64 zeros; this hash is another");
  }
  if (seq > 0 && head.hash == kGenesisHash) {
    return Status::InvalidArgument(where + ": seq " + std::to_string(seq) +
                                   " with the all-zero hash: only the empty log (seq 0) has that hash");
  }
  return head;
}

Result<KeptHead> ParseHeadFlag(const std::string& value) {
  const std::string where = "--head";
  const std::size_t colon = value.find(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument(where + " must be SEQ:HASH (the seq and hash `seamctl head` prints), found no ':'");
  }
  const std::string digits = value.substr(0, colon);
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::InvalidArgument(where + ": SEQ before ':' must be digits (the seq `seamctl head` prints)");
  }
  std::int64_t seq = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    return Status::InvalidArgument(where + ": SEQ before ':' is too large (" + std::to_string(digits.size()) + " digits)");
  }
  return ValidateHead(where, seq, value.substr(colon + 1));
}

Result<KeptHead> ReadHeadFile(const std::string& file) {
  const std::string where = "--head-file " + file;
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::InvalidArgument(where + ": cannot read it");
  std::string text(kMaxHeadFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Status::InvalidArgument(where + ": cannot read it");
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxHeadFileBytes) {
    return Status::InvalidArgument(where + ": larger than " + std::to_string(kMaxHeadFileBytes) +
                                   " bytes; expected what `seamctl head --json` prints");
  }
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("seq") || !j.contains("hash") ||
      !j["seq"].is_number_integer() || !j["hash"].is_string()) {
    return Status::InvalidArgument(where + ": not a JSON object {\"seq\": N, \"hash\": \"HEX\"} as `seamctl head --json` prints");
  }
  const nlohmann::json& seq = j["seq"];
  constexpr auto kMaxSeq = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (seq.is_number_unsigned() ? seq.get<std::uint64_t>() > kMaxSeq : seq.get<std::int64_t>() < 0) {
    return Status::InvalidArgument(where + ": seq must be 0 or more and fit 64 bits");
  }
  return ValidateHead(where, seq.get<std::int64_t>(), j["hash"].get<std::string>());
}

}  // namespace

Result<KeptHead> ParseKeptHead(const KeptHeadFlags& flags) {
  return flags.file_given ? ReadHeadFile(flags.file) : ParseHeadFlag(flags.value);
}

Result<HeadCheck> CheckKeptHead(EventStore& store, const VerifyReport& chain, const KeptHead& kept) {
  HeadCheck check;
  const std::string kept_seq = std::to_string(kept.seq);
  // Every log extends the empty one (its hash was checked to be the genesis hash).
  if (kept.seq == 0) {
    check.ok = true;
    return check;
  }
  // Only the verified prefix counts: behind a break in the chain nothing proves anything.
  if (kept.seq > chain.head_seq) {
    if (!chain.intact) {
      check.reason = "not checked: the chain is broken at seq " + std::to_string(chain.first_bad_seq) +
                     ", at or before the kept head's seq " + kept_seq;
      return check;
    }
    const std::int64_t first_gone = chain.head_seq + 1;
    check.bad_seq = first_gone;
    check.reason = "the log ends at seq " + std::to_string(chain.head_seq) + " but the head kept outside says seq " +
                   kept_seq + ": " +
                   (first_gone == kept.seq ? "event " + kept_seq + " was"
                                           : "events " + std::to_string(first_gone) + ".." + kept_seq + " were") +
                   " removed (tail truncated)";
    return check;
  }
  SEAM_ASSIGN_OR_RETURN(std::vector<Event> events, store.ReadAll(kept.seq, 1));
  // The chain up to head_seq was just verified gap-free, so the row is there unless the log
  // changed under us since.
  if (events.empty() || events.front().seq != kept.seq) {
    return Status::Corruption("event seq " + kept_seq + " vanished from the log while verify read it; run verify again");
  }
  const Event& e = events.front();
  if (e.hash != kept.hash) {
    check.bad_seq = kept.seq;
    check.reason = "event seq " + kept_seq + " has hash " + HashToHex(e.hash) + " but the head kept outside says " +
                   HashToHex(kept.hash) + ": the log was rewritten at or before seq " + kept_seq + " (re-chained)";
    return check;
  }
  check.ok = true;
  return check;
}

int RunHead(const GlobalOptions& g, bool json) {
  // Like verify: read-only, no key. The head is given only for an intact chain: a head of an
  // altered log is not worth keeping.
  Result<std::unique_ptr<StateContext>> opened = OpenState(g.config, OpenMode{.key = false, .read_only = true, .only_seam = {}, .agent = {}, .all_sides = false});
  if (!opened.ok()) return Fail(opened.status());
  Result<VerifyReport> report = (*opened)->log().Verify();
  if (!report.ok()) return Fail(report.status());
  const VerifyReport& r = *report;
  if (!r.intact) {
    std::cerr << "seamctl: error: the log is BROKEN at seq " << r.first_bad_seq << " (" << r.reason
              << "): no head worth keeping; see `seamctl verify`\n";
    return 1;
  }
  const std::string hex = HashToHex(r.head_hash);
  if (json) {
    std::cout << nlohmann::ordered_json{{"seq", r.head_seq}, {"hash", hex}}.dump() << "\n";
  } else {
    std::cout << "seq " << r.head_seq << " hash " << hex << "\n"
              << "keep this head where whoever can write this log cannot (e.g. on another machine); "
              << "later `seamctl verify --head " << r.head_seq << ":" << hex
              << "` tells whether the log still extends it\n";
  }
  std::cout.flush();
  if (!std::cout) return Fail(Status::IoError("cannot write the head to standard output"));
  return 0;
}

}  // namespace seam::seamctl
