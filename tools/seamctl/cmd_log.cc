// seamctl log and seamctl verify, plus the shared error printer.
#include <iostream>

#include "core/hash_chain.h"
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
  Result<std::unique_ptr<StateContext>> opened = OpenState(g.config, OpenMode{true, true});
  if (!opened.ok()) return Fail(opened.status());
  StateContext& ctx = **opened;

  Result<std::vector<Event>> events = Status::Internal("unset");
  if (seam_name.empty()) {
    events = ctx.store->ReadAll(1);
  } else {
    Result<const SeamConfig*> seam = ctx.FindSeam(seam_name);
    if (!seam.ok()) return Fail(seam.status());
    events = ctx.store->ReadStream((*seam)->stream());
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
      std::cout << described.dump() << "\n";
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

int RunVerify(const GlobalOptions& g, bool json) {
  // The chain needs no key: verify works even when the key file is lost.
  Result<std::unique_ptr<StateContext>> opened = OpenState(g.config, OpenMode{false, true});
  if (!opened.ok()) return Fail(opened.status());
  Result<VerifyReport> report = (*opened)->store->Verify();
  if (!report.ok()) return Fail(report.status());
  const VerifyReport& r = *report;
  if (json) {
    nlohmann::ordered_json out = {{"intact", r.intact},
                          {"events_checked", r.events_checked},
                          {"first_bad_seq", r.intact ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.first_bad_seq)},
                          {"reason", r.intact ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.reason)},
                          {"head", {{"seq", r.head_seq}, {"hash", HashToHex(r.head_hash)}}}};
    std::cout << out.dump(2) << "\n";
  } else if (r.intact) {
    std::cout << "log intact: " << r.events_checked << " events, head seq " << r.head_seq << " "
              << HashToHex(r.head_hash) << "\n";
  } else {
    std::cout << "log BROKEN at seq " << r.first_bad_seq << ": " << r.reason << " ("
              << r.events_checked << " events checked)\n";
  }
  return r.intact ? 0 : 1;
}

}  // namespace seam::seamctl
