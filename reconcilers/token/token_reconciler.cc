#include "reconcilers/token/token_reconciler.h"

#include "reconcilers/token/token_events.h"

namespace seam {

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kInSync: return "in_sync";
    case Verdict::kLagging: return "lagging";
    case Verdict::kForeign: return "foreign";
    case Verdict::kMissing: return "missing";
    case Verdict::kUnreadable: return "unreadable";
  }
  return "unreadable";
}

namespace token {
namespace {

void SetValue(TokenState& state, const Event& event, std::string sealed) {
  state.phase = TokenState::Phase::kActive;
  state.value = Secret();
  state.value_version = 0;
  state.history.push_back(TokenValue{event.version, std::move(sealed)});
}

Result<Secret> OpenVersion(const TokenState& state, const TokenValue& v, const KeyRing& keys) {
  Result<Secret> opened = keys.Open(v.sealed, SealContext(state.stream, v.version));
  if (!opened.ok()) return opened.status().WithContext(state.stream + " version " + std::to_string(v.version));
  return opened;
}

}  // namespace

const char* PhaseName(TokenState::Phase phase) {
  switch (phase) {
    case TokenState::Phase::kUnset: return "unset";
    case TokenState::Phase::kActive: return "active";
    case TokenState::Phase::kRevoked: return "revoked";
  }
  return "unset";
}

Status Apply(TokenState& state, const Event& event) {
  if (state.stream.empty()) state.stream = event.stream;
  state.stream_version = event.version;
  auto where = [&] { return "event seq " + std::to_string(event.seq); };
  if (event.type == kTokenIssued || event.type == kTokenRotated) {
    Result<TokenValueSet> p = DecodeValueSet(event.payload);
    if (!p.ok()) return p.status().WithContext(where());
    SetValue(state, event, std::move(p->sealed_value));
  } else if (event.type == kTokenAdopted) {
    Result<TokenAdopted> p = DecodeAdopted(event.payload);
    if (!p.ok()) return p.status().WithContext(where());
    SetValue(state, event, std::move(p->sealed_value));
  } else if (event.type == kTokenRevoked) {
    state.phase = TokenState::Phase::kRevoked;
    state.value = Secret();
    state.value_version = 0;
  } else {
    return Status::Ok();  // bookkeeping events (SideRepaired, ...) do not change intent
  }
  state.current_version = event.version;
  state.current_time_us = event.time_us;
  return Status::Ok();
}

Status OpenCurrent(TokenState& state, const KeyRing& keys) {
  if (!state.active() || state.value_version == state.history.back().version) return Status::Ok();
  SEAM_ASSIGN_OR_RETURN(state.value, OpenVersion(state, state.history.back(), keys));
  state.value_version = state.history.back().version;
  return Status::Ok();
}

Result<TokenState> Fold(const std::vector<Event>& events, const KeyRing& keys) {
  TokenState state;
  for (const Event& e : events) SEAM_RETURN_IF_ERROR(Apply(state, e));
  SEAM_RETURN_IF_ERROR(OpenCurrent(state, keys));
  return state;
}

Status CatchUp(EventStore& store, const std::string& stream, TokenState& state, const KeyRing& keys) {
  SEAM_RETURN_IF_ERROR(store.ScanStream(stream, state.stream_version + 1,
                                        [&](const Event& e) { return Apply(state, e); }));
  return OpenCurrent(state, keys);
}

Judgement Judge(const TokenState& state, Transform transform, const Observation& obs,
                const KeyRing& keys) {
  Judgement j;
  switch (obs.state) {
    case Observation::State::kUnreadable:
      j.verdict = Verdict::kUnreadable;
      j.detail = obs.reason;
      return j;
    case Observation::State::kMissing:
      if (state.active()) {
        j.verdict = Verdict::kMissing;
        j.detail = "holds no token; version " + std::to_string(state.current_version) + " is intended";
      } else {
        j.verdict = Verdict::kInSync;
        j.detail = state.phase == TokenState::Phase::kRevoked ? "holds no token (revoked)"
                                                              : "holds no token (none issued)";
      }
      return j;
    case Observation::State::kValue:
      break;
  }
  // Newest first: a value that was set twice (re-adopted) counts as the most recent version, and
  // the usual cases (in sync, one rotation behind) open at most one older value.
  for (auto it = state.history.rbegin(); it != state.history.rend(); ++it) {
    Secret opened;
    const Secret* value = &state.value;
    if (it->version != state.value_version) {
      Result<Secret> r = OpenVersion(state, *it, keys);
      if (!r.ok()) {
        j.verdict = Verdict::kUnreadable;
        j.detail = "cannot compare with the log: " + r.status().message();
        return j;
      }
      opened = std::move(r).value();
      value = &opened;
    }
    if (!ApplyTransform(transform, *value).Equals(obs.value)) continue;
    j.holds_version = it->version;
    j.fingerprint = keys.Fingerprint(*value);
    if (state.active() && it->version == state.history.back().version) {
      j.verdict = Verdict::kInSync;
      j.detail = "holds version " + std::to_string(it->version);
    } else {
      j.verdict = Verdict::kLagging;
      j.detail = "holds version " + std::to_string(it->version) + "; " +
                 (state.active() ? "version " + std::to_string(state.current_version) + " is intended"
                                 : std::string("the token was revoked at version ") +
                                       std::to_string(state.current_version));
    }
    return j;
  }
  j.verdict = Verdict::kForeign;
  j.fingerprint = keys.Fingerprint(obs.value);
  j.detail = state.history.empty() ? "holds a value but no token was issued in the log"
                                   : "holds a value the log never had";
  return j;
}

Result<Secret> NewTokenValue() {
  SEAM_ASSIGN_OR_RETURN(Secret raw, RandomBytes(32));
  return Secret(Base64UrlEncode(raw.Reveal()));
}

}  // namespace token
}  // namespace seam
