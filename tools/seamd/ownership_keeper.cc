#include "tools/seamd/ownership_keeper.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <utility>

namespace seam::seamd {

using Steady = std::chrono::steady_clock;

struct OwnershipKeeper::Core {
  struct Held {
    std::int64_t epoch = 0;
    Steady::time_point until;
  };

  std::unique_ptr<OwnershipLeases> leases;
  LeaseHolder holder;
  std::string config_hash;
  std::vector<std::string> streams;
  Timing timing;
  std::function<void(const std::string&)> on_gained;

  mutable std::mutex mu;
  std::condition_variable wake;
  bool stopping = false;  // no further claims
  bool release = false;   // and release what is held once the thread has ended
  std::map<std::string, Held> held;  // by stream
  std::vector<OwnerLease> last;
  std::string claim_error;  // the last claim's failure (logged once until one works)
  std::optional<Steady::time_point> next_expiry;  // the first lease of another's to run out
  std::vector<AgentSeen> agents;
  std::map<std::string, std::string> other_configs;  // agent -> a config hash unlike ours, said once
  std::string seen_error;  // the last heartbeat's failure (logged once until one works)
  struct Unsent {
    std::string report;
    Steady::time_point at;
  };
  std::map<std::pair<std::string, std::string>, Unsent> unsent;  // (stream, side) -> observation
  std::map<std::string, std::map<std::string, SideObservation>> observations;
  std::string share_error;  // the last failure to share observations (logged once until one works)
};

OwnershipKeeper::OwnershipKeeper(std::unique_ptr<OwnershipLeases> leases, LeaseHolder holder,
                                 std::string config_hash, std::vector<std::string> streams, Timing timing,
                                 std::function<void(const std::string&)> on_gained)
    : core_(std::make_shared<Core>()) {
  core_->leases = std::move(leases);
  core_->holder = std::move(holder);
  core_->config_hash = std::move(config_hash);
  core_->streams = std::move(streams);
  core_->timing = timing;
  core_->on_gained = std::move(on_gained);
  if (core_->leases != nullptr) thread_ = std::thread([core = core_] { Run(core); });
}

OwnershipKeeper::~OwnershipKeeper() {
  bool release = false;
  {
    std::lock_guard<std::mutex> lock(core_->mu);
    core_->stopping = true;
    release = core_->release;
  }
  core_->wake.notify_all();
  if (!thread_.joinable()) return;
  if (!release) {
    // Its successor renews the leases; the thread ends after the claim in flight (it owns a
    // reference to the core), so nobody here waits for a round trip.
    thread_.detach();
    return;
  }
  thread_.join();
  std::vector<std::string> mine;
  {
    std::lock_guard<std::mutex> lock(core_->mu);
    for (const auto& [stream, held] : core_->held) {
      if (held.until > Steady::now()) mine.push_back(stream);
    }
    core_->held.clear();
  }
  if (mine.empty()) return;
  if (Status released = core_->leases->Release(core_->holder, mine); !released.ok()) {
    spdlog::warn("agent {}: releasing {} ownership lease(s): {} (they run out within {} ms)", core_->holder.agent,
                 mine.size(), released.message(), core_->timing.lease.count());
  }
}

void OwnershipKeeper::ReleaseWhenDone() {
  {
    std::lock_guard<std::mutex> lock(core_->mu);
    core_->stopping = true;
    core_->release = true;
  }
  core_->wake.notify_all();
}

void OwnershipKeeper::Retire() {
  {
    std::lock_guard<std::mutex> lock(core_->mu);
    core_->stopping = true;
  }
  core_->wake.notify_all();
}

const std::string& OwnershipKeeper::agent() const { return core_->holder.agent; }
const LeaseHolder& OwnershipKeeper::holder() const { return core_->holder; }

std::string OwnershipKeeper::ClaimError() const {
  std::lock_guard<std::mutex> lock(core_->mu);
  return core_->claim_error;
}

bool OwnershipKeeper::fenced() const { return core_->leases != nullptr; }

std::optional<std::int64_t> OwnershipKeeper::Owned(const std::string& stream) const {
  if (core_->leases == nullptr) return 0;
  std::lock_guard<std::mutex> lock(core_->mu);
  auto it = core_->held.find(stream);
  if (it == core_->held.end() || it->second.until <= Steady::now()) return std::nullopt;
  return it->second.epoch;
}

std::vector<AgentSeen> OwnershipKeeper::Agents() const {
  std::lock_guard<std::mutex> lock(core_->mu);
  return core_->agents;
}

const std::string& OwnershipKeeper::config_hash() const { return core_->config_hash; }

std::chrono::milliseconds OwnershipKeeper::silent_after() const { return core_->timing.renew * 10; }

std::vector<OwnerLease> OwnershipKeeper::Leases() const {
  std::lock_guard<std::mutex> lock(core_->mu);
  return core_->last;
}

void OwnershipKeeper::Publish(const std::string& stream,
                              const std::vector<std::pair<std::string, std::string>>& reports) {
  if (core_->leases == nullptr) return;
  const Steady::time_point now = Steady::now();
  std::lock_guard<std::mutex> lock(core_->mu);
  for (const auto& [side, report] : reports) core_->unsent[{stream, side}] = Core::Unsent{report, now};
}

std::map<std::string, std::map<std::string, SideObservation>> OwnershipKeeper::Observations() const {
  std::lock_guard<std::mutex> lock(core_->mu);
  return core_->observations;
}

void OwnershipKeeper::Run(const std::shared_ptr<Core>& core) {
  std::unique_lock<std::mutex> lock(core->mu);
  for (long round = 0; !core->stopping; ++round) {
    Steady::time_point next = Steady::now() + core->timing.renew;
    lock.unlock();
    SayAlive(*core);
    if (!core->streams.empty()) ClaimOnce(*core);
    ShareObservations(*core, round % std::max(1, core->timing.observations_every) == 0);
    lock.lock();
    // A lease another agent holds is claimed again right after it runs out, not at the next
    // renewal: a dead owner's seam is taken over 1.5 s after its last renewal, not up to 2 s.
    if (core->next_expiry && *core->next_expiry < next) next = *core->next_expiry;
    core->wake.wait_until(lock, next, [&core] { return core->stopping; });
  }
}

void OwnershipKeeper::SayAlive(Core& core) {
  Result<std::vector<AgentSeen>> seen = core.leases->Seen(core.holder, core.config_hash);
  std::lock_guard<std::mutex> lock(core.mu);
  if (!seen.ok()) {
    if (core.seen_error.empty()) {
      spdlog::warn("agent {}: recording this agent as alive failed: {}", core.holder.agent, seen.status().message());
    }
    core.seen_error = seen.status().message();
    return;
  }
  core.seen_error.clear();
  for (const AgentSeen& a : *seen) {
    if (a.agent == core.holder.agent) continue;
    if (a.config_hash == core.config_hash) {
      core.other_configs.erase(a.agent);
      continue;
    }
    std::string& said = core.other_configs[a.agent];
    if (said == a.config_hash) continue;
    said = a.config_hash;
    // Hosts may differ on purpose (their own sides' paths); seams they share should not.
    spdlog::warn("agent {}: agent {} runs another configuration (sha256 {}; this agent's is {})", core.holder.agent,
                 a.agent, a.config_hash.substr(0, 12), core.config_hash.substr(0, 12));
  }
  core.agents = std::move(*seen);
}

void OwnershipKeeper::ClaimOnce(Core& core) {
  const std::string& agent = core.holder.agent;
  const Steady::time_point sent = Steady::now();
  Result<std::vector<OwnerLease>> claimed = core.leases->Claim(core.holder, core.streams, core.timing.lease);
  std::lock_guard<std::mutex> lock(core.mu);
  if (!claimed.ok()) {
    // What was held stays held until its own time runs out; nothing is renewed.
    if (core.claim_error.empty()) {
      spdlog::warn("agent {}: claiming ownership leases failed: {}; owned seams are given up as their leases run out",
                   agent, claimed.status().message());
    }
    core.claim_error = claimed.status().message();
    return;
  }
  if (!core.claim_error.empty()) spdlog::info("agent {}: claiming ownership leases works again", agent);
  core.claim_error.clear();
  // Measured now, not when the claim was sent: a lease this process held when the claim left but
  // lost on the way (a reply slower than the lease) is a taking, and its runner must be woken.
  const Steady::time_point replied = Steady::now();
  const Steady::time_point until = sent + core.timing.lease - core.timing.margin;
  std::map<std::string, Core::Held> now;
  std::vector<std::string> gained;
  for (const OwnerLease& l : *claimed) {
    if (!l.HeldBy(core.holder)) continue;
    auto before = core.held.find(l.stream);
    const bool had = before != core.held.end() && before->second.epoch == l.epoch && before->second.until > replied;
    if (!had) gained.push_back(l.stream);
    now[l.stream] = Core::Held{l.epoch, until};
  }
  for (const auto& [stream, held] : core.held) {
    if (!now.contains(stream)) spdlog::info("agent {}: seam stream {} is not this agent's now", agent, stream);
  }
  core.held = std::move(now);
  core.last = *claimed;
  // When the first lease held by another would run out, by this process's clock (the reply's
  // age is small next to the lease): the moment to claim it again. A few ms after, so the
  // database's clock has passed it too.
  core.next_expiry.reset();
  for (const OwnerLease& l : *claimed) {
    if (!l.held() || l.HeldBy(core.holder)) continue;
    const Steady::time_point at =
        replied + std::chrono::microseconds(l.expires_at_us - l.store_now_us) + std::chrono::milliseconds(5);
    if (!core.next_expiry || at < *core.next_expiry) core.next_expiry = at;
  }
  // Under the lock, so a keeper retired or destroyed meanwhile wakes no runner: once Retire
  // returns, its on_gained is never called again.
  if (core.stopping) return;
  for (const std::string& stream : gained) {
    spdlog::info("agent {}: owns seam stream {} now", agent, stream);
    core.on_gained(stream);
  }
}

void OwnershipKeeper::ShareObservations(Core& core, bool read) {
  std::vector<SideObservation> sending;
  std::vector<Steady::time_point> made;  // when each of `sending` was observed
  {
    std::lock_guard<std::mutex> lock(core.mu);
    const Steady::time_point now = Steady::now();
    for (const auto& [key, o] : core.unsent) {
      SideObservation s;
      s.stream = key.first;
      s.side = key.second;
      s.report = o.report;
      s.age_us = std::chrono::duration_cast<std::chrono::microseconds>(now - o.at).count();
      sending.push_back(std::move(s));
      made.push_back(o.at);
    }
  }
  Status sent = core.leases->Publish(core.holder, sending);
  Result<std::vector<SideObservation>> all = std::vector<SideObservation>();
  if (read) all = core.leases->Observations();
  const std::int64_t local_now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count();
  std::lock_guard<std::mutex> lock(core.mu);
  if (sent.ok()) {
    // Sent: forget them, unless a newer observation of the side came meanwhile.
    for (std::size_t i = 0; i < sending.size(); ++i) {
      auto it = core.unsent.find({sending[i].stream, sending[i].side});
      if (it != core.unsent.end() && it->second.at == made[i]) core.unsent.erase(it);
    }
  }
  const Status& failed = !sent.ok() ? sent : all.status();
  if (!failed.ok()) {
    if (core.share_error.empty()) {
      spdlog::warn("agent {}: sharing side observations failed: {}", core.holder.agent, failed.message());
    }
    core.share_error = failed.message();
    return;
  }
  core.share_error.clear();
  if (!read) return;
  core.observations.clear();
  for (SideObservation& o : *all) {
    // By this host's clock, so ages compare with this agent's own passes.
    o.observed_at_us = local_now_us - (o.store_now_us - o.observed_at_us);
    o.store_now_us = local_now_us;
    std::string stream = o.stream, side = o.side;
    core.observations[stream][side] = std::move(o);
  }
}

}  // namespace seam::seamd
