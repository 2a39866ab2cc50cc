#include "reconcilers/wrap.h"

#include <algorithm>

#include "reconcilers/logger.h"
#include "reconcilers/operation_steps.h"

namespace seam {
namespace {

// Whether two observations of one side hold the same thing, field by field (constant-time
// comparisons). The change marker is not enough: a rewrite of the same value moves it.
bool SameHolding(const Observation& a, const Observation& b) {
  if (a.state != b.state) return false;
  if (a.fields.size() != b.fields.size()) return false;
  for (const auto& [field, value] : a.fields) {
    const Secret* other = b.Field(field);
    if (other == nullptr || !value.Equals(*other)) return false;
  }
  return true;
}

// Whether `other` (a side that also changed to a new value) holds what the log would intend
// after adopting `candidate`: every field it holds equals the candidate's, through its own
// transform. A field the candidate lacks is no disagreement: the adoption does not set it; nor is
// one the side carries but is not compared by (a pem-file's chain bytes).
bool Agrees(const KindSpec& kind, const SideConfig& other, const Observation& after, const Record& candidate) {
  const Record expected = ForSide(kind, other.transform, candidate);
  for (const auto& [field, value] : after.fields) {
    if (std::find(other.fields.begin(), other.fields.end(), field) == other.fields.end()) continue;
    auto it = expected.find(field);
    if (it != expected.end() && !it->second.Equals(value)) return false;
  }
  return true;
}

std::string Shown(const WrapSideChange& change) {
  return change.side + " (" + (change.after.fingerprint.empty() ? "nothing" : change.after.fingerprint) + ")";
}

int CodeFor(const Status& status) {
  return status.code() == StatusCode::kConflict || status.code() == StatusCode::kUnavailable ? 3 : 2;
}

// Length of the valid UTF-8 sequence starting at s[i] (1 to 4), or 0 when it is not one.
std::size_t Utf8Length(const std::string& s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  unsigned int min = 0;
  unsigned int cp = 0;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) { n = 2; min = 0x80; cp = c & 0x1Fu; }
  else if ((c & 0xF0) == 0xE0) { n = 3; min = 0x800; cp = c & 0x0Fu; }
  else if ((c & 0xF8) == 0xF0) { n = 4; min = 0x10000; cp = c & 0x07u; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

Result<WrapBefore> ObserveBeforeWrap(SeamContext& ctx, const SeamConfig& seam) {
  SEAM_ASSIGN_OR_RETURN(RecordState state, operation_steps::ReplayOnly(ctx, seam));
  WrapBefore before{std::move(state), {}};
  for (const SideConfig& side : seam.sides) {
    Observation obs = side.side->Observe();
    if (obs.state == Observation::State::kUnreadable) {
      return Status::FailedPrecondition("seam " + seam.name + ": side " + side.name + " is unreadable (" +
                                        obs.reason + "), so what the command changes could not be told; "
                                        "the command was not run");
    }
    before.sides.push_back(std::move(obs));
  }
  return before;
}

namespace {

// Each side's change, judged against the log; kUnreadable when a side cannot be read after.
WrapDecision JudgeChanges(const SeamContext& ctx, const SeamConfig& seam, const RecordState& state,
                          const std::vector<Observation>& before, const std::vector<Observation>& after) {
  WrapDecision d;
  const KindSpec& kind = *state.kind;
  for (std::size_t i = 0; i < seam.sides.size(); ++i) {
    const SideConfig& cfg = seam.sides[i];
    WrapSideChange c;
    c.side = cfg.name;
    c.reversible = kind.encode_adopted != nullptr && TransformIsReversible(cfg.transform);
    c.after = JudgeSide(ctx, seam, state, cfg, after[i]);
    if (after[i].state == Observation::State::kUnreadable) {
      if (d.outcome != WrapOutcome::kUnreadable) {
        d.outcome = WrapOutcome::kUnreadable;
        d.detail = "side " + cfg.name + " is unreadable after the command (" + after[i].reason + ")";
      }
    } else {
      c.changed = !SameHolding(before[i], after[i]);
      c.new_value = c.changed && c.after.verdict == Verdict::kForeign;
    }
    d.sides.push_back(std::move(c));
  }
  return d;
}

// The side to adopt from among `fresh`: the seam's authority side when it is one of them, else
// the first reversible one. nullopt (with d's outcome and detail set) when none can be adopted.
std::optional<std::size_t> ChooseSource(const SeamConfig& seam, const KindSpec& kind,
                                        const std::vector<std::size_t>& fresh, WrapDecision& d) {
  std::optional<std::size_t> source;
  for (std::size_t i : fresh) {
    if (!d.sides[i].reversible) continue;
    if (!source) source = i;
    if (seam.authority_side && seam.sides[i].name == *seam.authority_side) return i;
  }
  if (source) return source;
  const WrapSideChange& c = d.sides[fresh.front()];
  const SideConfig& cfg = seam.sides[fresh.front()];
  d.outcome = WrapOutcome::kIrreversible;
  if (kind.encode_adopted == nullptr) {
    d.detail = "side " + Shown(c) + " changed to a new " + kind.noun + ", but a " + kind.noun +
               " cannot be adopted from a side; nothing adopted";
  } else {
    d.detail = "side " + Shown(c) + " changed to a new value, but it stores " + TransformName(cfg.transform) +
               " digests, from which the " + kind.fields.primary + " cannot be recovered; nothing adopted";
  }
  return std::nullopt;
}

}  // namespace

WrapDecision DecideWrap(const SeamContext& ctx, const SeamConfig& seam, const RecordState& state,
                        const std::vector<Observation>& before, const std::vector<Observation>& after) {
  WrapDecision d = JudgeChanges(ctx, seam, state, before, after);
  if (d.outcome == WrapOutcome::kUnreadable) return d;
  const KindSpec& kind = *state.kind;
  std::vector<std::size_t> fresh;  // sides holding a new value, in `order`
  bool any_change = false;
  for (std::size_t i = 0; i < d.sides.size(); ++i) {
    any_change = any_change || d.sides[i].changed;
    if (d.sides[i].new_value) fresh.push_back(i);
  }
  if (!any_change) return d;  // kNothingChanged
  if (fresh.empty()) {
    d.outcome = WrapOutcome::kFollowLog;
    return d;
  }
  const std::optional<std::size_t> source = ChooseSource(seam, kind, fresh, d);
  if (!source) return d;
  // What the log would intend after the adoption: its record with the source's fields in place.
  Record candidate;
  if (state.active()) candidate = state.value;
  for (const auto& [field, value] : after[*source].fields) candidate[field] = value;
  for (std::size_t i : fresh) {
    if (i == *source || Agrees(kind, seam.sides[i], after[i], candidate)) continue;
    d.outcome = WrapOutcome::kConflict;
    d.detail = "sides " + Shown(d.sides[*source]) + " and " + Shown(d.sides[i]) +
               " changed to different new values; nothing adopted";
    return d;
  }
  d.outcome = WrapOutcome::kAdopt;
  d.source = *source;
  return d;
}

std::string WrapCommandLine(const std::vector<std::string>& argv, std::size_t limit) {
  std::string joined;
  for (std::size_t a = 0; a < argv.size(); ++a) {
    if (a > 0) joined += ' ';
    joined += argv[a];
  }
  // Valid UTF-8 without control characters first, so that the cut below is on a boundary.
  std::string out;
  for (std::size_t i = 0; i < joined.size();) {
    const std::size_t n = Utf8Length(joined, i);
    const auto c = static_cast<unsigned char>(joined[i]);
    if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7F))) {
      out += '?';
      ++i;
    } else {
      out.append(joined, i, n);
      i += n;
    }
  }
  if (out.size() <= limit) return out;
  std::size_t cut = limit > 3 ? limit - 3 : 0;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  return out.substr(0, cut) + "...";
}

WrapReport FinishWrap(SeamContext& ctx, const SeamConfig& seam, WrapBefore before,
                      const std::string& command_line) {
  WrapReport report;
  std::vector<Observation> after;
  after.reserve(seam.sides.size());
  for (const SideConfig& side : seam.sides) after.push_back(side.side->Observe());
  report.decision = DecideWrap(ctx, seam, before.state, before.sides, after);
  const WrapDecision& d = report.decision;

  switch (d.outcome) {
    case WrapOutcome::kUnreadable:
      report.errors.push_back("seam " + seam.name + ": " + d.detail +
                              "; nothing was recorded. Once it is readable, `seamctl check " + seam.name +
                              "` shows where the seam stands (`seamctl adopt " + seam.name +
                              " --from SIDE` keeps what the command wrote)");
      report.code = 2;
      return report;
    case WrapOutcome::kConflict:
    case WrapOutcome::kIrreversible:
      // The sides are left as the command made them: overwriting them with the log's value
      // would undo the command, and which of its values is right is for a person to say.
      ReconcileLog()->info("seam {}: wrap: {}", seam.name, d.detail);
      report.code = 1;
      return report;
    case WrapOutcome::kAdopt: {
      const SideConfig& source = seam.sides[d.source];
      Result<EventDraft> draft =
          AdoptionDraft(ctx, seam, before.state, source, after[d.source], "wrap: " + command_line);
      if (!draft.ok()) {
        report.errors.push_back("adopting from side " + source.name + ": " + draft.status().message());
        report.code = CodeFor(draft.status());
        return report;
      }
      report.adopted_type = draft->type;
      Result<OperationReport> adopted = operation_steps::AppendThenApply(
          ctx, seam, std::move(before.state), std::move(*draft), "wrap");
      if (!adopted.ok()) {
        report.errors.push_back(adopted.status().message());
        report.code = CodeFor(adopted.status());
        return report;
      }
      report.adoption = std::move(*adopted);
      break;
    }
    case WrapOutcome::kNothingChanged:
    case WrapOutcome::kFollowLog:
      break;
  }

  // The other sides per the seam's policy and authority. After an adoption every side has
  // been written already; the pass then confirms it (and completes what did not reach a side).
  Result<SeamReport> pass = RunPass(ctx, seam, PassMode::kRepair);
  if (!pass.ok()) {
    report.errors.push_back(pass.status().message());
    report.code = CodeFor(pass.status());
    return report;
  }
  report.code = pass->ExitCode();
  for (const std::string& error : pass->errors) report.errors.push_back(error);
  report.pass = std::move(*pass);
  return report;
}

}  // namespace seam
