#include "reconcilers/apply_step.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>
#include <utility>

#include "core/fault_point.h"
#include "core/x509.h"
#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/drift_tracking.h"
#include "reconcilers/logger.h"

namespace seam {
namespace {

bool HoldsIntent(Verdict v) { return v == Verdict::kInSync || v == Verdict::kExpiring; }

// The record of a write over what the side held (`before`, judged `judged`): a SideRepaired,
// which confirms the version as SideApplied does and keeps a foreign value sealed.
Result<EventDraft> RepairedDraft(SeamContext& ctx, const SeamConfig& seam, const RecordState& state,
                                 const SideConfig& side, const Observation& before, const Judgement& judged) {
  bookkeeping::SideRepaired p;
  p.side = side.name;
  p.version_written = state.current_version;
  p.action = !side.side->Writable() ? "on_repair" : state.active() ? "write" : "remove";
  p.verdict_before = VerdictName(judged.verdict);
  p.held_version = judged.holds_version;
  p.fingerprint_before = judged.fingerprint;
  if (judged.verdict == Verdict::kForeign) {
    SEAM_ASSIGN_OR_RETURN(p.sealed_before, SealObservedFields(ctx, seam.stream(), state.stream_version + 1, before));
  }
  return EventDraft{bookkeeping::kSideRepaired, ctx.actor, ctx.clock.NowMicros(), bookkeeping::Encode(p)};
}

// What an observe-only side still shows after its hook ran and the settle time passed: "still
// serving version 3 after 5000 ms (…)", worded for what happened (the reload ran; the server did
// not pick the new value up).
std::string StillServing(const SideConfig& side, const Judgement& confirmed, std::int64_t intended,
                         std::chrono::milliseconds waited) {
  std::string what;
  switch (confirmed.verdict) {
    case Verdict::kLagging:
      // The intended version, but not all of it (a leaf without its intermediates: KindSpec::lacks).
      what = (confirmed.holds_revision == intended ? "serving rev " + std::to_string(intended) + " incompletely"
                                                   : "still serving rev " + std::to_string(confirmed.holds_revision));
      break;
    case Verdict::kForeign:
      what = "still serving a value the log never had";
      break;
    case Verdict::kMissing:
      what = "serving nothing";
      break;
    default:
      what = "still " + std::string(VerdictName(confirmed.verdict));
  }
  return "on_repair `" + side.on_repair.front() + "` ran and exited 0, but " + side.side->Describe() + " is " +
         what + " after " + std::to_string(waited.count()) + " ms (" + confirmed.detail + ")";
}

// Why a read-back does not hold the intent, worded for the purpose (operations report per side,
// repairs name the side themselves).
std::string ReadBackFailure(const SideConfig& side, bool repair, const Judgement& confirmed, std::int64_t intended,
                            const Status& hook, std::chrono::milliseconds waited) {
  if (!side.side->Writable() && hook.ok() && !side.on_repair.empty()) {
    return StillServing(side, confirmed, intended, waited);
  }
  const std::string verdict = std::string(VerdictName(confirmed.verdict));
  std::string msg;
  if (!repair) {
    msg = "read back after writing: " + verdict + " (" + confirmed.detail + ")";
  } else {
    msg = side.side->Describe() +
          (side.side->Writable() ? " does not hold the written value when read back ("
                                 : " does not serve the intended value after on_repair (") +
          verdict + ": " + confirmed.detail + ")";
  }
  if (!hook.ok()) msg += "; on_repair failed: " + hook.message();
  return msg;
}

// One apply step as it goes: what the side held, whether it may be written, what it holds after.
struct Step {
  SeamContext& ctx;
  const SeamConfig& seam;
  RecordState& state;
  const SideConfig& side;
  const ApplyPurpose purpose;
  Observation before;
  Judgement judged;
  ChangeMarker marker;
  bool already = false;  // it holds the intent: nothing to write
  Observation after;
  Judgement confirmed;
  Status hook = Status::Ok();
  std::chrono::milliseconds settled{0};  // how long the read-back waited for the hook's effect
  bool ineffective = false;  // an observe-only side's hook ran, exited 0 and did not help

  bool repair() const { return purpose == ApplyPurpose::kRepair; }
  bool writable() const { return side.side->Writable(); }
};

// A repair writes only if the side still holds what the pass decided on.
Status CheckDecision(Step& st, const ApplyDecision& decided_on, bool* changed) {
  Side& s = *st.side.side;
  if (!st.writable() && st.side.on_repair.empty()) {
    return Status::FailedPrecondition(s.Describe() +
                                      " is observe-only; set on_repair (e.g. reload its server) to let seam repair it");
  }
  st.before = decided_on.observation;
  st.judged = decided_on.judgement;
  if (!st.writable()) return Status::Ok();
  Observation now = s.Observe();
  if (!(now.marker == st.before.marker) || now.state != st.before.state) {
    *changed = true;
    return Status::FailedPrecondition(s.Describe() + " changed since it was observed; not writing (run again)");
  }
  st.marker = std::move(now.marker);
  return Status::Ok();
}

// An operation observes the side itself and leaves alone what it must not touch.
Status ObserveForOperation(Step& st) {
  Side& s = *st.side.side;
  st.before = s.Observe();
  // An observe-only side that cannot be reached (its server is down, perhaps waiting for the
  // files just written) may come up with its on_repair command: that is tried below.
  if (st.before.state == Observation::State::kUnreadable && (st.writable() || st.side.on_repair.empty())) {
    return Status::FailedPrecondition(st.before.reason);
  }
  st.judged = JudgeSide(st.ctx, st.seam, st.state, st.side, st.before);
  // Completing an old operation must not overwrite what the seam's authority side holds: a value
  // the log never had there is adopted (by `repair`), not lost.
  if (st.purpose == ApplyPurpose::kCompletion && st.judged.verdict == Verdict::kForeign &&
      st.seam.authority_side == st.side.name) {
    return Status::FailedPrecondition("it is the seam's authority and holds a value the log never had; `seamctl repair " +
                                      st.seam.name + "` adopts it");
  }
  st.already = HoldsIntent(st.judged.verdict);
  if (!st.already && !st.writable() && st.side.on_repair.empty()) {
    return Status::FailedPrecondition(s.Describe() + " is observe-only and has no on_repair to reload it");
  }
  st.marker = st.before.marker;
  return Status::Ok();
}

// After a hook, the intent must be seen twice this far apart: while nginx's old workers drain
// they still accept connections for a moment, so one read may land on a new worker and the
// next on an old one.
constexpr std::chrono::milliseconds kSettledFor{100};

// Reads the side back and judges it. After a hook that ran, again until it holds the intent on
// two reads kSettledFor apart, or the side's settle time passes (back-off from 20 ms, at most
// 500 ms between reads): a server reloads asynchronously, and a read at once would often still
// see the old value.
void ReadBack(Step& st) {
  using std::chrono::milliseconds;
  using Steady = std::chrono::steady_clock;
  const bool settle = !st.side.on_repair.empty() && st.hook.ok();
  const Steady::time_point start = Steady::now();
  const Steady::time_point end = start + st.side.settle;
  milliseconds pause{20};
  std::optional<Steady::time_point> held_since;
  for (;;) {
    st.after = st.side.side->Observe();
    st.confirmed = JudgeSide(st.ctx, st.seam, st.state, st.side, st.after);
    const Steady::time_point now = Steady::now();
    st.settled = std::chrono::duration_cast<milliseconds>(now - start);
    const bool holds = HoldsIntent(st.confirmed.verdict);
    if (!settle || now >= end) return;
    if (holds) {
      if (!held_since) held_since = now;
      if (now - *held_since >= kSettledFor) return;
      std::this_thread::sleep_for(std::min<Steady::duration>(*held_since + kSettledFor - now, end - now));
      continue;
    }
    held_since.reset();
    std::this_thread::sleep_for(std::min<Steady::duration>(pause, end - now));
    pause = std::min(pause * 2, milliseconds(500));
  }
}

// Write (compare-and-swap), run the hook, read back. A side already holding the intent is
// confirmed as it is; completing still runs its hook (the earlier attempt may have written the
// side and died before its hook reloaded the server).
//
// An owner (ctx.epoch > 0) announces every side effect first, fenced (bookkeeping::RepairStarted):
// a write, and a hook too (reloading a server is an effect on it). An owner whose lease was taken
// over is refused there, before it touches the side or runs the hook.
Status AnnounceSideEffect(Step& st) {
  if (st.ctx.epoch <= 0) return Status::Ok();
  const std::int64_t version = st.state.current_version;
  return AppendAndCatchUp(st.ctx, st.seam.stream(), st.state,
                          {EventDraft{bookkeeping::kRepairStarted, st.ctx.actor, st.ctx.clock.NowMicros(),
                                      bookkeeping::Encode(bookkeeping::RepairStarted{st.side.name, version})}});
}

Status WriteAndReadBack(Step& st) {
  Side& s = *st.side.side;
  if (st.already) {
    if (st.purpose == ApplyPurpose::kCompletion && !st.side.on_repair.empty()) {
      SEAM_RETURN_IF_ERROR(AnnounceSideEffect(st));
      st.hook = RunOnRepairHook(st.ctx, st.seam, st.side);
      if (!st.hook.ok()) return Status::IoError("holds the value, but on_repair failed: " + st.hook.message());
    }
    st.after = st.before;
    st.confirmed = st.judged;
    return Status::Ok();
  }
  if (st.writable() || !st.side.on_repair.empty()) SEAM_RETURN_IF_ERROR(AnnounceSideEffect(st));
  if (st.writable()) {
    SEAM_RETURN_IF_ERROR(st.state.active() ? s.Write(ForSide(*st.state.kind, st.side.transform, st.state.value), st.marker)
                                           : s.Remove(st.marker));
  }
  // The hook (e.g. reload the server) runs before the read-back, so the confirmation sees its
  // effect. For an observe-only side it is the whole repair.
  st.hook = RunOnRepairHook(st.ctx, st.seam, st.side);
  if (st.repair() && !st.writable() && !st.hook.ok()) return Status::IoError("on_repair failed: " + st.hook.message());
  ReadBack(st);
  if (!HoldsIntent(st.confirmed.verdict)) {
    st.ineffective = !st.writable() && st.hook.ok();
    return Status::IoError(ReadBackFailure(st.side, st.repair(), st.confirmed, st.state.revision, st.hook, st.settled));
  }
  // An operation's side is confirmed only once its hook ran: left pending, the completion runs
  // it again. A repair records the write first (the side was written) and reports after.
  if (!st.repair() && !st.hook.ok()) return Status::IoError("written, but on_repair failed: " + st.hook.message());
  return Status::Ok();
}

// SideRepaired for a repair, or for an operation that wrote over a value the log never had (kept
// sealed); SideApplied otherwise. Appended and folded into the state.
Status RecordOutcome(Step& st, std::int64_t* confirmed_at) {
  Result<EventDraft> draft = EventDraft{bookkeeping::kSideApplied, st.ctx.actor, st.ctx.clock.NowMicros(),
                                        bookkeeping::Encode(bookkeeping::SideApplied{st.side.name, st.state.current_version})};
  if (st.repair() || (st.writable() && !st.already && st.judged.verdict == Verdict::kForeign)) {
    draft = RepairedDraft(st.ctx, st.seam, st.state, st.side, st.before, st.judged);
  }
  if (!draft.ok()) {
    if (st.repair()) return draft.status();
    return Status(draft.status().code(),
                  "written and read back, but sealing what it held before failed: " + draft.status().message());
  }
  *confirmed_at = draft->time_us;
  Status recorded = AppendAndCatchUp(st.ctx, st.seam.stream(), st.state, {std::move(*draft)});
  if (recorded.ok() || st.repair()) return recorded;
  return Status(recorded.code(), "written and read back, but recording SideApplied failed: " + recorded.message());
}

// Keyed: a change marker may be built from the bytes of a secret (a file's SHA-256).
std::string MarkerPrint(const KeyRing& keys, const ChangeMarker& marker) {
  return keys.Fingerprint("change-marker\n" + marker.opaque);
}

// A hook already seen not to help is not run again for the same version while the side holds
// the same thing: a server reloaded onto a configuration that serves the leaf without its
// intermediates would otherwise be reloaded every pass. An operation the user just asked for
// runs it regardless; `seamctl repair --force` forgets the memory (reconcile_pass.cc).
Status RememberedIneffective(const Step& st) {
  if (st.purpose == ApplyPurpose::kOperation || st.writable()) return Status::Ok();
  auto it = st.state.ineffective_hooks.find(st.side.name);
  if (it == st.state.ineffective_hooks.end()) return Status::Ok();
  const IneffectiveHook& memo = it->second;
  if (memo.version != st.state.current_version || memo.marker != MarkerPrint(st.ctx.keys, st.before.marker)) {
    return Status::Ok();
  }
  return Status::FailedPrecondition("on_repair `" + st.side.on_repair.front() + "` ran at " +
                                    FormatUnixTime(memo.at_us / 1'000'000) + " for rev " +
                                    std::to_string(st.state.revision) + " and did not help (" + memo.detail +
                                    "); not run again until " + st.side.name + " changes, or `seamctl repair --force " +
                                    st.seam.name + "`");
}

// Records that the hook did not help, so the next passes do not run it again (HookIneffective).
Status RecordIneffective(Step& st) {
  bookkeeping::HookIneffective p;
  p.side = st.side.name;
  p.version = st.state.current_version;
  p.hook = st.side.on_repair.front();
  p.marker = MarkerPrint(st.ctx.keys, st.after.marker);
  p.detail = st.confirmed.detail;
  return AppendAndCatchUp(st.ctx, st.seam.stream(), st.state,
                          {EventDraft{bookkeeping::kHookIneffective, st.ctx.actor, st.ctx.clock.NowMicros(),
                                      bookkeeping::Encode(p)}});
}

}  // namespace

ApplyOutcome ApplyToSide(SeamContext& ctx, const SeamConfig& seam, RecordState& state, const SideConfig& side,
                         ApplyPurpose purpose, const std::optional<ApplyDecision>& decided_on) {
  ApplyOutcome out;
  if ((purpose == ApplyPurpose::kRepair) != decided_on.has_value()) {
    out.status = Status::Internal("ApplyToSide: a decision is for repairs (and repairs only)");
    return out;
  }
  Step st{ctx, seam, state, side, purpose, {}, {}, {}, false, {}, {}, Status::Ok()};
  FaultPoint((st.repair() ? "before-repair:" : "before-side-write:") + side.name);
  out.status = st.repair() ? CheckDecision(st, *decided_on, &out.changed) : ObserveForOperation(st);
  if (out.status.ok()) {
    out.status = RememberedIneffective(st);
    out.held_back = !out.status.ok();
  }
  if (out.status.ok()) out.status = WriteAndReadBack(st);
  if (st.ineffective) {
    if (Status noted = RecordIneffective(st); !noted.ok()) {
      out.status = Status(out.status.code(), out.status.message() + "; recording that the hook did not help failed: " +
                                                 noted.message());
    }
  }
  if (!out.status.ok()) return out;
  if (!st.repair()) FaultPoint("after-side-write:" + side.name);
  std::int64_t confirmed_at = 0;
  out.status = RecordOutcome(st, &confirmed_at);
  if (!out.status.ok()) return out;
  out.after = std::move(st.after);
  out.confirmed = std::move(st.confirmed);
  if (st.repair()) {
    ReconcileLog()->info("seam {}: repaired side {} ({} -> rev {})", seam.name, side.name,
                         VerdictName(st.judged.verdict), state.revision);
    out.confirmed_at_us = ctx.clock.NowMicros();
    if (!st.hook.ok()) out.status = Status::IoError("written and recorded, but on_repair failed: " + st.hook.message());
    return out;
  }
  out.confirmed_at_us = confirmed_at;
  FaultPoint("after-side-applied:" + side.name);
  // The side's part is done; a drift left open here is closed by the next pass instead.
  if (Status closed = RecordDriftEndedByWrite(ctx, seam, state, side.name, confirmed_at); !closed.ok()) {
    ReconcileLog()->warn("seam {}: side {} is confirmed, but closing its drift failed: {}", seam.name, side.name,
                         closed.message());
  }
  return out;
}

}  // namespace seam
