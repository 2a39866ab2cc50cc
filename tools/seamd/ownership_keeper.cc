#include "tools/seamd/ownership_keeper.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace seam::seamd {

using Steady = std::chrono::steady_clock;

OwnershipKeeper::OwnershipKeeper(std::unique_ptr<OwnershipLeases> leases, std::string agent,
                                 std::vector<std::string> streams, Timing timing,
                                 std::function<void(const std::string&)> on_gained)
    : leases_(std::move(leases)),
      agent_(std::move(agent)),
      streams_(std::move(streams)),
      timing_(timing),
      on_gained_(std::move(on_gained)) {
  if (leases_ != nullptr && !streams_.empty()) thread_ = std::thread([this] { Run(); });
}

OwnershipKeeper::~OwnershipKeeper() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (leases_ == nullptr || !release_) return;
  std::vector<std::string> mine;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [stream, held] : held_) {
      if (held.until > Steady::now()) mine.push_back(stream);
    }
    held_.clear();
  }
  if (Status released = leases_->Release(agent_, mine); !released.ok()) {
    spdlog::warn("agent {}: releasing {} ownership lease(s): {} (they run out within {} ms)", agent_, mine.size(),
                 released.message(), timing_.lease.count());
  }
}

void OwnershipKeeper::ReleaseWhenDone() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    release_ = true;
  }
  wake_.notify_all();
}

std::optional<std::int64_t> OwnershipKeeper::Owned(const std::string& stream) const {
  if (leases_ == nullptr) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = held_.find(stream);
  if (it == held_.end() || it->second.until <= Steady::now()) return std::nullopt;
  return it->second.epoch;
}

std::vector<OwnerLease> OwnershipKeeper::Leases() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_;
}

void OwnershipKeeper::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    const Steady::time_point next = Steady::now() + timing_.renew;
    lock.unlock();
    ClaimOnce();
    lock.lock();
    wake_.wait_until(lock, next, [this] { return stopping_; });
  }
}

void OwnershipKeeper::ClaimOnce() {
  const Steady::time_point sent = Steady::now();
  Result<std::vector<OwnerLease>> claimed = leases_->Claim(agent_, streams_, timing_.lease);
  if (!claimed.ok()) {
    // What was held stays held until its own time runs out; nothing is renewed.
    std::lock_guard<std::mutex> lock(mu_);
    if (!failing_) {
      spdlog::warn("agent {}: claiming ownership leases failed: {}; owned seams are given up as their leases run out",
                   agent_, claimed.status().message());
    }
    failing_ = true;
    return;
  }
  std::vector<std::string> gained;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (failing_) spdlog::info("agent {}: claiming ownership leases works again", agent_);
    failing_ = false;
    const Steady::time_point until = sent + timing_.lease - timing_.margin;
    std::map<std::string, Held> now;
    for (const OwnerLease& l : *claimed) {
      if (l.agent != agent_ || !l.held()) continue;
      auto before = held_.find(l.stream);
      const bool had = before != held_.end() && before->second.epoch == l.epoch && before->second.until > sent;
      if (!had) gained.push_back(l.stream);
      now[l.stream] = Held{l.epoch, until};
    }
    for (const auto& [stream, held] : held_) {
      if (!now.contains(stream)) spdlog::info("agent {}: seam stream {} is owned by another agent now", agent_, stream);
    }
    held_ = std::move(now);
    last_ = *claimed;
  }
  for (const std::string& stream : gained) {
    spdlog::info("agent {}: owns seam stream {} now", agent_, stream);
    on_gained_(stream);
  }
}

}  // namespace seam::seamd
