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

Status SetValue(TokenState& state, const Event& event, const std::string& sealed,
                const KeyRing& keys) {
  Result<Secret> value = keys.Open(sealed, SealContext(event.stream, event.version));
  if (!value.ok()) {
    return value.status().WithContext("event seq " + std::to_string(event.seq) + " (" + event.type + ")");
  }
  state.phase = TokenState::Phase::kActive;
  state.value = *value;
  state.history.push_back(TokenValue{event.version, std::move(value).value()});
  return Status::Ok();
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

Status Apply(TokenState& state, const Event& event, const KeyRing& keys) {
  state.stream_version = event.version;
  auto where = [&] { return "event seq " + std::to_string(event.seq); };
  if (event.type == kTokenIssued || event.type == kTokenRotated) {
    Result<TokenValueSet> p = DecodeValueSet(event.payload);
    if (!p.ok()) return p.status().WithContext(where());
    SEAM_RETURN_IF_ERROR(SetValue(state, event, p->sealed_value, keys));
  } else if (event.type == kTokenAdopted) {
    Result<TokenAdopted> p = DecodeAdopted(event.payload);
    if (!p.ok()) return p.status().WithContext(where());
    SEAM_RETURN_IF_ERROR(SetValue(state, event, p->sealed_value, keys));
  } else if (event.type == kTokenRevoked) {
    state.phase = TokenState::Phase::kRevoked;
    state.value = Secret();
  } else {
    return Status::Ok();  // bookkeeping events (SideRepaired, ...) do not change intent
  }
  state.current_version = event.version;
  state.current_time_us = event.time_us;
  return Status::Ok();
}

Result<TokenState> Fold(const std::vector<Event>& events, const KeyRing& keys) {
  TokenState state;
  for (const Event& e : events) SEAM_RETURN_IF_ERROR(Apply(state, e, keys));
  return state;
}

Status CatchUp(EventStore& store, const std::string& stream, TokenState& state, const KeyRing& keys) {
  return store.ScanStream(stream, state.stream_version + 1,
                          [&](const Event& e) { return Apply(state, e, keys); });
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
  // Newest first: a value that was set twice (re-adopted) counts as the most recent version.
  for (auto it = state.history.rbegin(); it != state.history.rend(); ++it) {
    if (!ApplyTransform(transform, it->value).Equals(obs.value)) continue;
    j.holds_version = it->version;
    j.fingerprint = keys.Fingerprint(it->value);
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
