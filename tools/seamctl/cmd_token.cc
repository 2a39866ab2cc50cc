// seamctl token issue|rotate|revoke, pair, unpair and adopt: the operations.
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "core/fault_point.h"
#include "reconcilers/operations.h"
#include "reconcilers/operation_steps.h"
#include "reconcilers/token/token_events.h"
#include "tools/common/state_context.h"
#include "tools/seamctl/agent_confirmations.h"
#include "tools/seamctl/commands.h"

namespace seam::seamctl {
namespace {

// "0.21 s", "12.3 s".
std::string FormatSeconds(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, seconds < 10 ? "%.2f s" : "%.1f s", seconds);
  return buf;
}

// Prints what an operation did. Exit 0 only when every side confirmed the new state.
int Report(const OperationReport& r) {
  // Every side's SideApplied is on disk by now: what is printed next is already durable.
  FaultPoint("before-success");
  for (const std::string& w : r.warnings) std::cerr << "seamctl: warning: seam " << r.seam << ": " << w << "\n";
  if (!r.note.empty()) {
    std::cout << r.seam << ": " << r.note << "\n";
    return 0;
  }
  // The revision people count ("rev 2"); the log's version beside it, to find it in `seamctl log`.
  std::cout << r.seam << ": " << r.operation << " recorded as rev " << r.revision << " (log version " << r.version
            << ")" << (r.fingerprint.empty() ? "" : " " + r.fingerprint) << "\n";
  int code = 0;
  std::string waiting;  // sides not attempted because an earlier one failed
  for (const SideWriteReport& s : r.sides) {
    if (s.waiting) waiting += (waiting.empty() ? "" : ", ") + s.side;
  }
  for (const SideWriteReport& s : r.sides) {
    // A side seam only observes is not written: its hook (a reload) makes it serve the value.
    if (s.ok) {
      std::cout << "  " << s.side << (s.observe_only ? ": serves it (confirmed)\n" : ": written and confirmed\n");
    } else if (s.waiting) {
      std::cout << "  " << s.side << ": not written (" << s.message << ")\n";
    } else {
      std::cout << "  " << s.side << (s.observe_only ? ": does NOT serve it\n" : ": NOT written\n");
      // One line for the operation: the side that failed, and what waits for it.
      const std::string also =
          waiting.empty() ? "" : " and on " + waiting + " (after it in `order`, not written)";
      std::cerr << "seamctl: error: seam " << r.seam << ": side " << s.side
                << (s.observe_only ? " does not serve it: " : " not written: ")
                << s.message << "; the operation (rev " << r.revision << ") is pending there"
                << also << ": `seamctl repair " << r.seam << "` completes it once the side is fixed\n";
      code = 2;
    }
  }
  return code;
}

// The sides other agents write: waits `wait_s` seconds (-1: not at all, this host's part failed)
// for their confirmations, prints each, and says on one line which are pending. Exit 2 when one is.
int ReportElsewhere(StateContext& ctx, const OperationReport& r, const std::string& stream,
                    const std::vector<std::pair<std::string, std::string>>& elsewhere, int wait_s) {
  std::vector<AwaitedSide> sides;
  for (const auto& [side, agent] : elsewhere) sides.push_back(AwaitedSide{side, agent, false, 0});
  if (wait_s < 0) {
    for (const AwaitedSide& s : sides) {
      std::cout << "  " << s.side << ": left to agent " << s.agent << " (not waited for: this host's part failed)\n";
    }
    return 2;
  }
  // From the intent on: a confirmation cannot come before it.
  if (Status waited = AwaitConfirmations(ctx.log(), stream, r.version, r.version - 1, std::chrono::seconds(wait_s), sides);
      !waited.ok()) {
    std::cerr << "seamctl: error: seam " << r.seam << ": the operation (rev " << r.revision
              << ") is recorded; reading the other agents' confirmations failed: " << waited.message() << "\n";
    return 2;
  }
  std::string pending;
  for (const AwaitedSide& s : sides) {
    if (s.confirmed) {
      std::cout << "  " << s.side << ": written and confirmed by agent " << s.agent << " (after "
                << FormatSeconds(s.seconds) << ")\n";
    } else {
      std::cout << "  " << s.side << ": not confirmed by agent " << s.agent << " within " << wait_s << " s\n";
      pending += (pending.empty() ? "" : ", ") + s.side + " (agent " + s.agent + ")";
    }
  }
  if (pending.empty()) return 0;
  std::cerr << "seamctl: error: seam " << r.seam << ": the operation (rev " << r.revision << ") is pending on "
            << pending << ": not confirmed within " << wait_s << " s; the seamd of each completes it when it runs\n";
  return 2;
}

}  // namespace

int RunOperation(const GlobalOptions& g, const std::string& seam_name, const OperationFn& op) {
  Result<std::unique_ptr<StateContext>> ctx = OpenState(g.config);
  if (!ctx.ok()) return Fail(ctx.status());
  Result<const SeamConfig*> seam = (*ctx)->FindSeam(seam_name);
  if (!seam.ok()) return Fail(seam.status());
  // What the log held when this command started: another writer may hold the seam's lock and
  // record an operation meanwhile (then this command refuses, exit 3).
  const std::string stream = (*seam)->stream();
  Result<std::int64_t> seen = (*ctx)->log().StreamVersion(stream);
  if (!seen.ok()) return Fail(seen.status());
  Result<OperationReport> report = [&]() -> Result<OperationReport> {
    // Held from replay to the last side write, so no other writer interleaves with this one;
    // released before waiting for the other agents, whose passes take it to write their sides.
    SEAM_ASSIGN_OR_RETURN(std::unique_ptr<WriterLock> lock, (*ctx)->LockSeam(**seam));
    SEAM_RETURN_IF_ERROR(operation_steps::NoIntentRecordedSince((*ctx)->log(), **seam, *seen));
    SeamContext sc = (*ctx)->Seam();
    return op(sc, **seam);
  }();
  if (!report.ok()) return Fail(report.status());
  const int code = Report(*report);
  auto elsewhere = (*ctx)->sides_elsewhere.find(seam_name);
  if (elsewhere == (*ctx)->sides_elsewhere.end() || report->version == 0 || !report->note.empty()) return code;
  return std::max(code, ReportElsewhere(**ctx, *report, stream, elsewhere->second, code == 0 ? g.wait_s : -1));
}

int RunTokenIssue(const GlobalOptions& g, const std::string& seam) {
  return RunOperation(g, seam, [](SeamContext& c, const SeamConfig& s) { return IssueToken(c, s); });
}

int RunTokenRotate(const GlobalOptions& g, const std::string& seam) {
  return RunOperation(g, seam, [](SeamContext& c, const SeamConfig& s) { return RotateToken(c, s); });
}

int RunTokenRevoke(const GlobalOptions& g, const std::string& seam, const std::string& reason) {
  return RunOperation(g, seam, [&](SeamContext& c, const SeamConfig& s) { return RevokeToken(c, s, reason); });
}

int RunPair(const GlobalOptions& g, const std::string& seam, const PairRequest& request) {
  return RunOperation(g, seam, [&](SeamContext& c, const SeamConfig& s) { return Pair(c, s, request); });
}

int RunUnpair(const GlobalOptions& g, const std::string& seam, const std::string& reason) {
  return RunOperation(g, seam, [&](SeamContext& c, const SeamConfig& s) { return Unpair(c, s, reason); });
}

int RunAdopt(const GlobalOptions& g, const std::string& seam, const std::string& from) {
  return RunOperation(g, seam, [&](SeamContext& c, const SeamConfig& s) { return AdoptValue(c, s, from); });
}

}  // namespace seam::seamctl
