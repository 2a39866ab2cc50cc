#include "tools/seamd/notifier.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "core/crypto.h"
#include "core/notify_cursor_book.h"
#include "core/store.h"
#include "store/open.h"
#include "tools/common/drift_alerts.h"
#include "tools/common/notification.h"
#include "tools/common/notify_target.h"
#include "tools/seamd/ownership_keeper.h"

namespace seam::seamd {
namespace {

using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

struct SeamOfStream {
  std::string name;
  std::string kind;
};

constexpr milliseconds kPoll{250};
constexpr milliseconds kFirstBackOff{1000};
constexpr milliseconds kMaxBackOff{60000};
constexpr std::int64_t kBatch = 200;
constexpr milliseconds kAlertRepost{60000};  // under Alertmanager's default resolve_timeout (5 m)
// How often the cursors of this agent's quiet seams are moved up to where the log was read, so a
// restart (or the next owner) does not read the log again from the last event they had.
constexpr milliseconds kCheckpoint{60000};

}  // namespace

// One target's thread: reads the log from the lowest cursor on, delivers the events of the seams
// this agent owns, and advances their cursors after each batch.
class Notifier::Target {
 public:
  Target(Notifier& notifier, std::unique_ptr<NotifyTarget> target, std::unique_ptr<Store> store,
         std::unique_ptr<NotifyCursorBook> book, std::map<std::string, SeamOfStream> seams,
         std::shared_ptr<const KeyRing> keys, std::shared_ptr<const OwnershipKeeper> owners)
      : n_(notifier),
        target_(std::move(target)),
        store_(std::move(store)),
        book_(std::move(book)),
        seams_(std::move(seams)),
        keys_(std::move(keys)),
        owners_(std::move(owners)),
        config_(target_->config()),
        who_("notify " + config_.name),
        alertmanager_(!config_.alertmanager.empty()) {}

  void Run() {
    if (!Begin() || (alertmanager_ && !FoldHistory())) return;
    EventStore& log = store_->Log();
    while (true) {
      if (!TakeGained()) return;
      Repost();
      Checkpoint();
      Result<std::vector<Event>> events = log.ReadAll(scanned_ + 1, kBatch);
      if (!events.ok()) {
        Say(events.status().WithContext(who_ + ": reading the log"));
        if (!Wait(kFirstBackOff, false)) return Flush();
        continue;
      }
      if (events->empty()) {
        if (!Wait(kPoll, true)) return Flush();
        continue;
      }
      for (const Event& e : *events) {
        if (alertmanager_) Fold(e);
        if (!Handle(e, false)) return Flush();  // the cursor stays before it: delivered after a restart
        scanned_ = e.seq;
      }
      Flush();
    }
  }

 private:
  bool Owned(const std::string& stream) const { return !owners_ || owners_->Owned(stream).has_value(); }

  bool Wait(milliseconds d, bool on_poke) { return n_.Wait(d, on_poke, &seen_pokes_); }

  // Said once until it changes.
  void Say(const Status& s) {
    if (s.message() != trouble_) spdlog::warn("{}", s.message());
    trouble_ = s.message();
  }

  // The target's start (recorded at its first sight) and where the reading begins: the lowest
  // cursor of its seams. False once stopping.
  bool Begin() {
    while (true) {
      Result<NotifyCursorBook::Cursors> kept = book_->Load(config_.name);
      Result<LogHead> head = kept.ok() && !kept->start ? store_->Log().Head() : Result<LogHead>(LogHead{});
      Result<std::int64_t> start = kept.ok() && !kept->start && head.ok() ? book_->Begin(config_.name, head->seq)
                                                                           : Result<std::int64_t>(0);
      if (kept.ok() && head.ok() && start.ok()) {
        if (!kept->start) {
          kept->start = *start;
          spdlog::info("{}: first start, notifying of events after seq {}", who_, *start);
        }
        scanned_ = *kept->start;
        if (!seams_.empty()) {
          scanned_ = kept->Of(seams_.begin()->first);
          for (const auto& [stream, seam] : seams_) scanned_ = std::min(scanned_, kept->Of(stream));
        }
        trouble_.clear();
        return true;
      }
      Say(!kept.ok() ? kept.status() : !head.ok() ? head.status().WithContext(who_) : start.status());
      if (!Wait(kFirstBackOff, false)) return false;
    }
  }

  // An Alertmanager keeps no memory seamd can rely on: the drifts open before the reading begins
  // are folded from the log first, and posted at the first Repost.
  bool FoldHistory() {
    for (std::int64_t at = 1; at <= scanned_;) {
      Result<std::vector<Event>> past = store_->Log().ReadAll(at, kBatch);
      if (!past.ok()) {
        Say(past.status().WithContext(who_ + ": reading the log"));
        if (!Wait(kFirstBackOff, false)) return false;
        continue;
      }
      if (past->empty()) break;
      for (const Event& e : *past) {
        if (e.seq <= scanned_) Fold(e);
        at = e.seq + 1;
      }
    }
    return true;
  }

  // Every drift record of the seams it wants, whoever owns them (the alerts of a seam gained later
  // are then known), a superseded DriftClosed too (no notification of its own, but it resolves
  // the old verdict's alert). What to post for `e`, kept for Handle.
  void Fold(const Event& e) {
    auto seam = seams_.find(e.stream);
    to_post_ = seam == seams_.end() ? nlohmann::ordered_json::array()
                                    : alerts_.Apply(e, seam->second.name, seam->second.kind);
  }

  // The seams that became this agent's since the last look: what their cursors say is still owed
  // (up to where the log was read) is delivered first. The seams it lost are let go. False once
  // stopping.
  bool TakeGained() {
    std::vector<std::string> gained;
    for (const auto& [stream, seam] : seams_) {
      if (!Owned(stream)) {
        mine_.erase(stream);
      } else if (!mine_.contains(stream)) {
        gained.push_back(stream);
      }
    }
    if (gained.empty()) return true;
    // Read again: another agent may have owned them meanwhile.
    Result<NotifyCursorBook::Cursors> kept = book_->Load(config_.name);
    if (!kept.ok()) {
      Say(kept.status());
      return Wait(kFirstBackOff, false);  // still not this agent's: tried again next time
    }
    std::int64_t from = scanned_;
    std::set<std::string> owed;
    for (const std::string& stream : gained) {
      const std::int64_t at = kept->Of(stream);
      mine_[stream] = at;
      if (at < scanned_) {
        owed.insert(stream);
        from = std::min(from, at);
      }
      spdlog::debug("{}: seam {} is this agent's now; its cursor is at seq {}", who_, seams_.at(stream).name, at);
    }
    if (!owed.empty()) {
      spdlog::info("{}: {} seam(s) became this agent's; delivering what they are owed from seq {}", who_, owed.size(),
                   from + 1);
    }
    for (std::int64_t at = from + 1; at <= scanned_;) {
      Result<std::vector<Event>> events = store_->Log().ReadAll(at, kBatch);
      if (!events.ok()) {
        Say(events.status().WithContext(who_ + ": reading the log"));
        if (!Wait(kFirstBackOff, false)) return false;
        continue;
      }
      if (events->empty()) break;
      for (const Event& e : *events) {
        if (e.seq > scanned_) break;
        at = e.seq + 1;
        if (owed.contains(e.stream) && !Handle(e, true)) return false;
      }
      Flush();
    }
    // Alerts: the gained seams' open drifts are posted now (they were folded already).
    if (alertmanager_) last_post_ = Steady::now() - kAlertRepost;
    return true;
  }

  // Delivers `e` when its seam is this agent's, the cursor is before it and the target wants it;
  // then moves the cursor past it. `catching_up`: an event read again for a seam just gained
  // (an alert is posted by the Repost that follows, not per event). False once stopping.
  bool Handle(const Event& e, bool catching_up) {
    auto mine = mine_.find(e.stream);
    if (mine == mine_.end() || e.seq <= mine->second) return true;
    if (!Owned(e.stream)) {
      mine_.erase(mine);  // its next owner goes on from the cursor
      return true;
    }
    const SeamOfStream& seam = seams_.at(e.stream);
    const std::string kind = NotificationKind(e);
    const bool wanted = alertmanager_ ? !catching_up && !to_post_.empty()
                                      : !kind.empty() && config_.Wants(kind, seam.name);
    if (wanted) {
      std::optional<nlohmann::ordered_json> n = alertmanager_ ? std::nullopt : NotificationFor(e, seam.name, *keys_);
      milliseconds back_off = kFirstBackOff;
      int failures = 0;
      for (;;) {
        const Status delivered = alertmanager_ ? target_->PostAlerts(to_post_) : target_->Deliver(*n);
        if (delivered.ok()) break;
        ++failures;
        if (failures == 1 || failures % 10 == 0) {
          spdlog::warn("{} (seq {}, attempt {}; trying again in {} s)", delivered.message(), e.seq, failures,
                       back_off.count() / 1000);
        }
        if (!Wait(back_off, false)) return false;
        if (!Owned(e.stream)) {
          spdlog::info("{}: seam {} is no longer this agent's; its next owner delivers seq {}", who_, seam.name, e.seq);
          mine_.erase(e.stream);
          return true;
        }
        back_off = std::min(back_off * 2, kMaxBackOff);
      }
      if (failures > 0) spdlog::info("{}: delivered seq {} after {} failed attempts", who_, e.seq, failures);
      spdlog::debug("{}: delivered seq {} ({} of seam {})", who_, e.seq, kind, seam.name);
    }
    mine_[e.stream] = e.seq;
    dirty_[e.stream] = e.seq;
    return true;
  }

  // Every open alert of this agent's seams, every minute.
  void Repost() {
    if (!alertmanager_ || Steady::now() - last_post_ < kAlertRepost) return;
    last_post_ = Steady::now();
    const nlohmann::ordered_json open = alerts_.Open([this](const std::string& stream) { return mine_.contains(stream); });
    if (open.empty()) return;
    if (Status s = target_->PostAlerts(open); !s.ok()) Say(s);
  }

  void Checkpoint() {
    if (Steady::now() - last_checkpoint_ < kCheckpoint) return;
    last_checkpoint_ = Steady::now();
    for (auto& [stream, at] : mine_) {
      if (at < scanned_) dirty_[stream] = at = scanned_;
    }
    Flush();
  }

  // Writes the cursors moved since the last Flush, in one transaction; kept for the next one
  // when that fails.
  void Flush() {
    if (dirty_.empty()) return;
    if (Status s = book_->Advance(config_.name, dirty_); !s.ok()) {
      Say(s);
      return;
    }
    dirty_.clear();
  }

  Notifier& n_;
  std::unique_ptr<NotifyTarget> target_;
  std::unique_ptr<Store> store_;  // its own connection to the log
  std::unique_ptr<NotifyCursorBook> book_;
  const std::map<std::string, SeamOfStream> seams_;  // the seams it wants, by stream
  std::shared_ptr<const KeyRing> keys_;
  std::shared_ptr<const OwnershipKeeper> owners_;
  const NotifyConfig& config_;
  const std::string who_;
  const bool alertmanager_;

  std::int64_t scanned_ = 0;                  // the log is read up to here
  std::map<std::string, std::int64_t> mine_;  // this agent's seams (streams) and their cursors
  std::map<std::string, std::int64_t> dirty_;  // cursors moved since the last Flush
  DriftAlerts alerts_;
  nlohmann::ordered_json to_post_ = nlohmann::ordered_json::array();  // Fold's answer for the event in hand
  Steady::time_point last_post_ = Steady::now() - kAlertRepost;
  Steady::time_point last_checkpoint_ = Steady::now();
  std::string trouble_;
  std::uint64_t seen_pokes_ = 0;
};

Result<std::unique_ptr<Notifier>> Notifier::Start(const Config& config, const Secret& master_key,
                                                  std::shared_ptr<const OwnershipKeeper> owners) {
  std::unique_ptr<Notifier> notifier(new Notifier);
  if (config.notify.empty()) return notifier;
  auto keys = std::make_shared<const KeyRing>(master_key);
  for (const NotifyConfig& n : config.notify) {
    std::map<std::string, SeamOfStream> seams;
    for (const SeamConfig& seam : config.seams) {
      if (n.WantsSeam(seam.name)) seams[seam.stream()] = SeamOfStream{seam.name, seam.kind};
    }
    SEAM_ASSIGN_OR_RETURN(std::unique_ptr<NotifyTarget> target, NotifyTarget::Make(n, config.hook_path));
    store::OpenOptions read_only;
    read_only.read_only = true;
    SEAM_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, store::Open(config.store, read_only));
    SEAM_ASSIGN_OR_RETURN(std::unique_ptr<NotifyCursorBook> book, store->OpenNotifyCursors());
    notifier->targets_.push_back(std::make_unique<Target>(*notifier, std::move(target), std::move(store),
                                                          std::move(book), std::move(seams), keys, owners));
  }
  for (const auto& t : notifier->targets_) notifier->threads_.emplace_back([t = t.get()] { t->Run(); });
  return notifier;
}

Notifier::~Notifier() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void Notifier::Poke() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++pokes_;
  }
  wake_.notify_all();
}

bool Notifier::Wait(milliseconds d, bool on_poke, std::uint64_t* seen) {
  std::unique_lock<std::mutex> lock(mu_);
  wake_.wait_for(lock, d, [&] { return stop_ || (on_poke && pokes_ != *seen); });
  *seen = pokes_;
  return !stop_;
}

}  // namespace seam::seamd
