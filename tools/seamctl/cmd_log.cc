// seamctl log and seamctl verify, plus the shared error printer.
#include <iostream>

#include "core/hash_chain.h"
#include "reconcilers/event_description.h"
#include "tools/common/state_context.h"
#include "tools/seamctl/commands.h"

namespace seam::seamctl {

int ExitCodeFor(const Status& status) { return status.code() == StatusCode::kConflict ? 3 : 2; }

int Fail(const Status& status) {
  std::cerr << "seamctl: error: " << status.message() << "\n";
  return ExitCodeFor(status);
}

int RunLog(const GlobalOptions& g, const std::string& seam_name, bool json) {
  Result<std::unique_ptr<StateContext>> opened = OpenState(g.config);
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
  for (const Event& e : *events) {
    if (json) {
      std::cout << DescribeEvent(e, *ctx.keys).dump() << "\n";
    } else {
      std::cout << DescribeEventLine(e, *ctx.keys) << "\n";
    }
  }
  return 0;
}

int RunVerify(const GlobalOptions& g, bool json) {
  Result<std::unique_ptr<StateContext>> opened = OpenState(g.config);
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
