// seamctl log and seamctl verify, plus the shared error printer.
#include <iostream>
#include <optional>

#include "core/hash_chain.h"
#include "tools/common/report_output.h"
#include "tools/seamctl/event_description.h"
#include "tools/common/state_context.h"
#include "tools/seamctl/commands.h"

namespace seam::seamctl {

int ExitCodeFor(const Status& status) {
  const bool retryable = status.code() == StatusCode::kConflict || status.code() == StatusCode::kUnavailable;
  return retryable ? 3 : 2;
}

int Fail(const Status& status) {
  std::cerr << "seamctl: error: " << status.message() << "\n";
  return ExitCodeFor(status);
}

int RunLog(const GlobalOptions& g, const std::string& seam_name, bool json) {
  // `log SEAM` parses only that seam's table when the config index knows the config.
  Result<std::unique_ptr<StateContext>> opened =
      OpenState(g.config, OpenMode{.key = true, .read_only = true, .only_seam = seam_name, .agent = {}, .all_sides = false});
  if (!opened.ok()) return Fail(opened.status());
  StateContext& ctx = **opened;

  Result<std::vector<Event>> events = Status::Internal("unset");
  if (seam_name.empty()) {
    events = ctx.log().ReadAll(1);
  } else {
    Result<const SeamConfig*> seam = ctx.FindSeam(seam_name);
    if (!seam.ok()) return Fail(seam.status());
    events = ctx.log().ReadStream((*seam)->stream());
  }
  if (!events.ok()) return Fail(events.status());
  std::int64_t undecodable = 0;
  std::int64_t first_bad = 0;
  for (const Event& e : *events) {
    const nlohmann::ordered_json described = DescribeEvent(e, *ctx.keys);
    if (described["details"].contains("error")) {
      ++undecodable;
      if (first_bad == 0) first_bad = e.seq;
    }
    if (json) {
      std::cout << DumpJson(described) << "\n";
    } else {
      std::cout << DescribeEventLine(described) << "\n";
    }
  }
  std::cout.flush();
  if (!std::cout) return Fail(Status::IoError("cannot write the log to standard output"));
  // Every event was shown; still, events whose payload does not decode or unseal are trouble.
  if (undecodable > 0) {
    return Fail(Status::Corruption(std::to_string(undecodable) + " events (first seq " + std::to_string(first_bad) +
                                   ") do not decode or unseal: wrong key file, or the log was altered; run `seamctl verify`"));
  }
  return 0;
}

int RunVerify(const GlobalOptions& g, bool json, const KeptHeadFlags& head_flags) {
  // A malformed kept head is refused before the log is opened.
  std::optional<KeptHead> kept;
  if (head_flags.given()) {
    Result<KeptHead> parsed = ParseKeptHead(head_flags);
    if (!parsed.ok()) return Fail(parsed.status());
    kept = *parsed;
  }
  // The chain needs no key: verify works even when the key file is lost.
  Result<std::unique_ptr<StateContext>> opened = OpenState(g.config, OpenMode{.key = false, .read_only = true, .only_seam = {}, .agent = {}, .all_sides = false});
  if (!opened.ok()) return Fail(opened.status());
  Result<VerifyReport> report = (*opened)->log().Verify();
  if (!report.ok()) return Fail(report.status());
  const VerifyReport& r = *report;
  std::optional<HeadCheck> head_check;
  if (kept) {
    Result<HeadCheck> checked = CheckKeptHead((*opened)->log(), r, *kept);
    if (!checked.ok()) return Fail(checked.status());
    head_check = *checked;
  }
  // Intact only when the chain holds and, with a kept head, the log still extends it. A broken
  // chain is named first; otherwise a failed head check is what is broken.
  const bool head_failed = head_check && !head_check->ok;
  const bool intact = r.intact && !head_failed;
  const std::int64_t first_bad = r.intact ? (head_failed ? head_check->bad_seq : 0) : r.first_bad_seq;
  const std::string reason = r.intact ? (head_failed ? head_check->reason : "") : r.reason;
  if (json) {
    nlohmann::ordered_json out = {{"intact", intact},
                          {"events_checked", r.events_checked},
                          {"first_bad_seq", intact ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(first_bad)},
                          {"reason", intact ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(reason)},
                          {"head", {{"seq", r.head_seq}, {"hash", HashToHex(r.head_hash)}}}};
    if (head_check) {
      out["head_check"] = {{"seq", kept->seq},
                           {"hash", HashToHex(kept->hash)},
                           {"ok", head_check->ok},
                           {"reason", head_check->ok ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(head_check->reason)}};
    }
    std::cout << DumpJson(out, 2) << "\n";
  } else if (intact) {
    std::cout << "log intact: " << r.events_checked << " events, head seq " << r.head_seq << " "
              << HashToHex(r.head_hash) << "\n";
    if (head_check) {
      std::cout << "and it extends the head kept outside: seq " << kept->seq << " " << HashToHex(kept->hash) << "\n";
    }
  } else if (!r.intact) {
    std::cout << "log BROKEN at seq " << r.first_bad_seq << ": " << r.reason << " ("
              << r.events_checked << " events checked)\n";
    std::cout << "keep this log as evidence; to go on from what the sides hold, `seamctl init --start-over \"tampered\"` "
                 "moves it aside and starts a new chain (README \"Recovery\")\n";
    if (head_check) {
      std::cout << "head kept outside (seq " << kept->seq << "): "
                << (head_check->ok ? "the intact part of the log still extends it" : head_check->reason) << "\n";
    }
  } else {
    std::cout << "log BROKEN at seq " << first_bad << ": " << reason << "\n"
              << "(the hash chain itself is intact: " << r.events_checked << " events, head seq " << r.head_seq
              << " " << HashToHex(r.head_hash) << "; only the head kept outside shows the change)\n";
  }
  return intact ? 0 : 1;
}

}  // namespace seam::seamctl
