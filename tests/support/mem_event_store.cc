// MemEventStore: a vector of events under a mutex, with a per-stream index, and a list of
// watches that appenders call after they let go of the mutex.
#include "tests/support/mem_event_store.h"

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "core/hash_chain.h"

namespace seam {

class MemLog {
 public:
  // One WatchAppends registration, shared by the log's list (appenders call through it) and the
  // AppendWatch handed out (which switches it off).
  struct Watch {
    Watch(std::int64_t after_seq, std::function<void(std::int64_t)> callback)
        : last_seq(after_seq), on_append(std::move(callback)) {}

    // Calls on_append if `head` is past what this watch last reported. Holding call_mu while it
    // runs keeps calls from overlapping and lets the AppendWatch wait for one in progress.
    // Two appenders may finish in either order; dropping the older head keeps what the caller
    // sees increasing (it re-reads from its own last seq anyway).
    void Notify(std::int64_t head) {
      std::lock_guard<std::mutex> lock(call_mu);
      if (!active || head <= last_seq) return;
      last_seq = head;
      on_append(head);
    }

    std::mutex call_mu;
    bool active = true;      // guarded by call_mu
    std::int64_t last_seq;   // guarded by call_mu
    std::function<void(std::int64_t)> on_append;  // guarded by call_mu
  };

  // REQUIRES: mu held.
  LogHead HeadLocked() const {
    if (events.empty()) return LogHead{0, kGenesisHash};
    return LogHead{events.back().seq, events.back().hash};
  }

  // REQUIRES: mu held. After a tamper, which may have moved a row to another stream or version.
  void Reindex() {
    streams.clear();
    for (std::size_t i = 0; i < events.size(); ++i) streams[events[i].stream].push_back(i);
    for (auto& [name, rows] : streams) {
      std::stable_sort(rows.begin(), rows.end(), [this](std::size_t a, std::size_t b) {
        return events[a].version < events[b].version;
      });
    }
  }

  std::mutex mu;
  std::vector<Event> events;  // guarded by mu; in append order, which is seq order
  // Guarded by mu: stream -> indexes into `events`, in version order.
  std::unordered_map<std::string, std::vector<std::size_t>> streams;
  std::vector<std::shared_ptr<Watch>> watches;  // guarded by mu
};

namespace {

class MemAppendWatch final : public AppendWatch {
 public:
  MemAppendWatch(std::shared_ptr<MemLog> log, std::shared_ptr<MemLog::Watch> watch)
      : log_(std::move(log)), watch_(std::move(watch)) {}

  ~MemAppendWatch() override {
    {
      std::lock_guard<std::mutex> lock(log_->mu);
      std::erase(log_->watches, watch_);
    }
    // An appender may still hold watch_ from before the erase; once inactive it calls nothing.
    std::lock_guard<std::mutex> lock(watch_->call_mu);
    watch_->active = false;
    watch_->on_append = nullptr;  // release the caller's captures now, not with the last holder
  }

  MemAppendWatch(const MemAppendWatch&) = delete;
  MemAppendWatch& operator=(const MemAppendWatch&) = delete;

 private:
  std::shared_ptr<MemLog> log_;
  std::shared_ptr<MemLog::Watch> watch_;
};

Status RowHashMismatch(const Event& e) {
  return Status::Corruption("in-memory log: event seq " + std::to_string(e.seq) + " of stream " +
                            e.stream +
                            " fails its hash check (the row was altered); run `seamctl verify`");
}

Status CheckRowHash(const Event& e) {
  return ComputeEventHash(e) == e.hash ? Status::Ok() : RowHashMismatch(e);
}

}  // namespace

MemEventStore::MemEventStore() : log_(std::make_shared<MemLog>()) {}

MemEventStore::MemEventStore(std::shared_ptr<MemLog> log) : log_(std::move(log)) {}

MemEventStore::~MemEventStore() = default;

Result<AppendResult> MemEventStore::Append(const std::string& stream,
                                           std::int64_t expected_version,
                                           const std::vector<EventDraft>& events,
                                           const AppendFence& fence) {
  SEAM_RETURN_IF_ERROR(CheckAppendArgs(stream, expected_version, events, fence));
  if (fence.check && fence.epoch > 0) {
    return Status::FailedPrecondition("in-memory log keeps no ownership leases, so an append fenced by epoch " +
                                      std::to_string(fence.epoch) + " cannot be checked");
  }
  AppendResult result;
  std::vector<std::shared_ptr<MemLog::Watch>> to_wake;
  {
    std::lock_guard<std::mutex> lock(log_->mu);
    std::int64_t version = 0;
    std::string last_actor;
    if (auto it = log_->streams.find(stream); it != log_->streams.end() && !it->second.empty()) {
      const Event& tip = log_->events[it->second.back()];
      version = tip.version;
      last_actor = tip.actor;
    }
    if (version != expected_version) {
      const std::string who = version == 0 ? "no events yet" : "last written by " + last_actor;
      return Status::Conflict("stream " + stream + " is at version " + std::to_string(version) +
                              " (" + who + "), expected " + std::to_string(expected_version));
    }
    const LogHead head = log_->HeadLocked();
    // Nothing below can fail but allocation; reserving first keeps even that all-or-nothing.
    std::vector<std::size_t>& rows = log_->streams[stream];
    rows.reserve(rows.size() + events.size());
    log_->events.reserve(log_->events.size() + events.size());
    Event e;
    e.stream = stream;
    e.seq = head.seq;
    e.version = version;
    e.epoch = fence.epoch;
    e.hash = head.hash;
    for (const EventDraft& d : events) {
      ++e.seq;
      ++e.version;
      e.type = d.type;
      e.time_us = d.time_us;
      e.actor = d.actor;
      e.payload = d.payload;
      e.prev_hash = e.hash;
      e.hash = ComputeEventHash(e);
      rows.push_back(log_->events.size());
      log_->events.push_back(e);
    }
    result = AppendResult{head.seq + 1, e.seq, e.version};
    to_wake = log_->watches;
  }
  for (const auto& watch : to_wake) watch->Notify(result.last_seq);
  return result;
}

Result<std::vector<Event>> MemEventStore::ReadStream(const std::string& stream,
                                                     std::int64_t from_version) {
  std::lock_guard<std::mutex> lock(log_->mu);
  std::vector<Event> out;
  auto it = log_->streams.find(stream);
  if (it == log_->streams.end()) return out;
  for (const std::size_t i : it->second) {
    const Event& e = log_->events[i];
    if (e.version < from_version) continue;
    SEAM_RETURN_IF_ERROR(CheckRowHash(e));
    out.push_back(e);
  }
  return out;
}

Status MemEventStore::ScanStream(const std::string& stream, std::int64_t from_version,
                                 const std::function<Status(const Event&)>& visit) {
  std::vector<Event> rows;
  {
    std::lock_guard<std::mutex> lock(log_->mu);
    auto it = log_->streams.find(stream);
    if (it == log_->streams.end()) return Status::Ok();
    for (const std::size_t i : it->second) {
      if (log_->events[i].version >= from_version) rows.push_back(log_->events[i]);
    }
  }
  // One Event handed to every call, as the interface allows: a caller keeping a reference
  // instead of a copy sees it change here too, not only against SQLite.
  Event current;
  for (Event& row : rows) {
    current = std::move(row);
    SEAM_RETURN_IF_ERROR(CheckRowHash(current));
    SEAM_RETURN_IF_ERROR(visit(current));
  }
  return Status::Ok();
}

Result<std::vector<Event>> MemEventStore::ReadAll(std::int64_t from_seq, std::int64_t limit) {
  std::lock_guard<std::mutex> lock(log_->mu);
  std::vector<Event> out;
  for (const Event& e : log_->events) {
    if (limit > 0 && static_cast<std::int64_t>(out.size()) >= limit) break;
    if (e.seq < from_seq) continue;
    SEAM_RETURN_IF_ERROR(CheckRowHash(e));
    out.push_back(e);
  }
  return out;
}

Result<std::int64_t> MemEventStore::StreamVersion(const std::string& stream) {
  std::lock_guard<std::mutex> lock(log_->mu);
  auto it = log_->streams.find(stream);
  if (it == log_->streams.end() || it->second.empty()) return std::int64_t{0};
  return log_->events[it->second.back()].version;
}

Result<LogHead> MemEventStore::Head() {
  std::lock_guard<std::mutex> lock(log_->mu);
  return log_->HeadLocked();
}

Result<VerifyReport> MemEventStore::Verify() {
  std::lock_guard<std::mutex> lock(log_->mu);
  VerifyReport report;
  report.head_hash = kGenesisHash;
  std::unordered_map<std::string, std::int64_t> versions;  // stream -> last version seen
  for (const Event& e : log_->events) {
    auto bad = [&](std::string reason) {
      report.intact = false;
      report.first_bad_seq = e.seq;
      report.reason = std::move(reason);
      return report;
    };
    const std::int64_t want_seq = report.head_seq + 1;
    if (e.seq != want_seq) {
      return bad("seq gap: expected seq " + std::to_string(want_seq) + ", found " +
                 std::to_string(e.seq));
    }
    if (e.prev_hash != report.head_hash) {
      return bad("prev_hash does not match the hash of seq " + std::to_string(report.head_seq));
    }
    if (ComputeEventHash(e) != e.hash) return bad("hash mismatch: the row was altered");
    auto [it, inserted] = versions.try_emplace(e.stream, 0);
    if (e.version != it->second + 1) {
      return bad("stream " + e.stream + " has version " + std::to_string(e.version) +
                 ", expected " + std::to_string(it->second + 1));
    }
    it->second = e.version;
    ++report.events_checked;
    report.head_seq = e.seq;
    report.head_hash = e.hash;
  }
  return report;
}

Result<std::unique_ptr<AppendWatch>> MemEventStore::WatchAppends(
    std::int64_t after_seq, std::function<void(std::int64_t)> on_append) {
  if (!on_append) return Status::InvalidArgument("WatchAppends needs an on_append callback");
  auto watch = std::make_shared<MemLog::Watch>(after_seq, std::move(on_append));
  std::int64_t head = 0;
  {
    // Registered before the head is read: an append that lands after this read calls the
    // watch itself, so no head is missed between the two.
    std::lock_guard<std::mutex> lock(log_->mu);
    log_->watches.push_back(watch);
    head = log_->HeadLocked().seq;
  }
  watch->Notify(head);
  return std::unique_ptr<AppendWatch>(std::make_unique<MemAppendWatch>(log_, std::move(watch)));
}

bool MemEventStore::TamperForTest(std::int64_t seq, const std::function<void(Event&)>& edit) {
  std::lock_guard<std::mutex> lock(log_->mu);
  auto it = std::find_if(log_->events.begin(), log_->events.end(),
                         [seq](const Event& e) { return e.seq == seq; });
  if (it == log_->events.end()) return false;
  edit(*it);
  log_->Reindex();
  return true;
}

}  // namespace seam
