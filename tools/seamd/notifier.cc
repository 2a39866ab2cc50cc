#include "tools/seamd/notifier.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "core/crypto.h"
#include "store/open.h"
#include "tools/common/drift_alerts.h"
#include "tools/common/notification.h"
#include "tools/common/notify_target.h"
#include "tools/seamd/notify_cursors.h"

namespace seam::seamd {
namespace {

using std::chrono::milliseconds;

struct SeamOfStream {
  std::string name;
  std::string kind;
};

constexpr milliseconds kPoll{250};
constexpr milliseconds kFirstBackOff{1000};
constexpr milliseconds kMaxBackOff{60000};
constexpr std::int64_t kBatch = 200;
constexpr milliseconds kAlertRepost{60000};  // under Alertmanager's default resolve_timeout (5 m)

}  // namespace

struct Notifier::Target {
  std::unique_ptr<NotifyTarget> target;
  std::unique_ptr<Store> store;  // its own read-only connection to the log
  std::unique_ptr<NotifyCursors> cursors;
  std::map<std::string, SeamOfStream> seams;  // by stream
  std::shared_ptr<const KeyRing> keys;
};

Result<std::unique_ptr<Notifier>> Notifier::Start(const Config& config, const Secret& master_key) {
  std::unique_ptr<Notifier> notifier(new Notifier);
  if (config.notify.empty()) return notifier;
  if (config.store.url.rfind("postgres", 0) == 0) {
    return Status::FailedPrecondition(config.file.string() + ":" + std::to_string(config.notify.front().line) +
                                      ": [[notify]] with a PostgreSQL store is not built yet (only the seam's owner "
                                      "must notify, from a cursor kept in the store); use it with the SQLite log");
  }
  auto keys = std::make_shared<const KeyRing>(master_key);
  std::map<std::string, SeamOfStream> seams;
  for (const SeamConfig& seam : config.seams) seams[seam.stream()] = SeamOfStream{seam.name, seam.kind};
  const std::filesystem::path cursor_file = config.store.state_dir / "notify-cursors.db";
  for (const NotifyConfig& n : config.notify) {
    auto t = std::make_unique<Target>();
    SEAM_ASSIGN_OR_RETURN(t->target, NotifyTarget::Make(n, config.hook_path));
    store::OpenOptions read_only;
    read_only.read_only = true;
    SEAM_ASSIGN_OR_RETURN(t->store, store::Open(config.store, read_only));
    SEAM_ASSIGN_OR_RETURN(t->cursors, NotifyCursors::Open(cursor_file));
    t->seams = seams;
    t->keys = keys;
    notifier->targets_.push_back(std::move(t));
  }
  for (const auto& t : notifier->targets_) notifier->threads_.emplace_back([n = notifier.get(), t = t.get()] { n->Run(*t); });
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

void Notifier::Run(Target& t) {
  const NotifyConfig& config = t.target->config();
  const std::string who = "notify " + config.name;
  EventStore& log = t.store->Log();
  // Waits up to `d`, or until a poke (`wake_on_poke`) or stop; false once stopping.
  std::uint64_t seen_pokes = 0;
  auto wait = [&](milliseconds d, bool wake_on_poke) {
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait_for(lock, d, [&] { return stop_ || (wake_on_poke && pokes_ != seen_pokes); });
    seen_pokes = pokes_;
    return !stop_;
  };
  std::optional<std::int64_t> cursor;
  std::string trouble;  // said once until it changes
  auto say = [&](const Status& s) {
    if (s.message() != trouble) spdlog::warn("{}", s.message());
    trouble = s.message();
  };
  while (!cursor) {
    Result<std::optional<std::int64_t>> kept = t.cursors->Get(config.name);
    Result<LogHead> head = kept.ok() && !*kept ? log.Head() : Result<LogHead>(LogHead{});
    Status set = kept.ok() && !*kept && head.ok() ? t.cursors->Set(config.name, head->seq) : Status::Ok();
    if (kept.ok() && head.ok() && set.ok()) {
      cursor = *kept ? **kept : head->seq;
      if (!*kept) spdlog::info("{}: first start, notifying of events after seq {}", who, *cursor);
    } else {
      say(!kept.ok() ? kept.status() : !head.ok() ? head.status().WithContext(who) : set);
      if (!wait(kFirstBackOff, false)) return;
    }
  }
  trouble.clear();
  // An Alertmanager keeps no memory seamd can rely on: the open drifts before the cursor are
  // folded from the log first, and posted again at once and every minute after.
  const bool alertmanager = !config.alertmanager.empty();
  DriftAlerts alerts;
  // Every drift record of the seams it wants, a superseded DriftClosed too (no notification of
  // its own, but it resolves the old verdict's alert).
  auto fold = [&](const Event& e) -> nlohmann::ordered_json {
    auto seam = t.seams.find(e.stream);
    if (seam == t.seams.end() || !config.WantsSeam(seam->second.name)) return nlohmann::ordered_json::array();
    return alerts.Apply(e, seam->second.name, seam->second.kind);
  };
  auto last_post = std::chrono::steady_clock::now() - kAlertRepost;
  if (alertmanager) {
    for (std::int64_t at = 1; at <= *cursor;) {
      Result<std::vector<Event>> past = log.ReadAll(at, kBatch);
      if (!past.ok()) {
        say(past.status().WithContext(who + ": reading the log"));
        if (!wait(kFirstBackOff, false)) return;
        continue;
      }
      if (past->empty()) break;
      for (const Event& e : *past) {
        if (e.seq <= *cursor) (void)fold(e);
        at = e.seq + 1;
      }
    }
  }
  auto repost = [&] {
    if (!alertmanager || std::chrono::steady_clock::now() - last_post < kAlertRepost) return;
    last_post = std::chrono::steady_clock::now();
    if (alerts.size() == 0) return;
    if (Status s = t.target->PostAlerts(alerts.Open()); !s.ok()) say(s);
  };
  while (true) {
    repost();
    Result<std::vector<Event>> events = log.ReadAll(*cursor + 1, kBatch);
    if (!events.ok()) {
      say(events.status().WithContext(who + ": reading the log"));
      if (!wait(kFirstBackOff, false)) return;
      continue;
    }
    if (events->empty()) {
      if (!wait(kPoll, true)) return;
      continue;
    }
    std::int64_t last = *cursor;
    for (const Event& e : *events) {
      auto seam = t.seams.find(e.stream);
      const std::string kind = NotificationKind(e);
      const nlohmann::ordered_json to_post = alertmanager ? fold(e) : nlohmann::ordered_json::array();
      if (alertmanager ? !to_post.empty()
                       : seam != t.seams.end() && !kind.empty() && config.Wants(kind, seam->second.name)) {
        std::optional<nlohmann::ordered_json> n =
            alertmanager ? std::nullopt : NotificationFor(e, seam->second.name, *t.keys);
        milliseconds back_off = kFirstBackOff;
        int failures = 0;
        for (;;) {
          const Status delivered = alertmanager ? t.target->PostAlerts(to_post) : t.target->Deliver(*n);
          if (delivered.ok()) break;
          ++failures;
          if (failures == 1 || failures % 10 == 0) {
            spdlog::warn("{} (seq {}, attempt {}; trying again in {} s)", delivered.message(), e.seq, failures,
                         back_off.count() / 1000);
          }
          if (!wait(back_off, false)) return;  // the cursor stays before it: delivered after a restart
          back_off = std::min(back_off * 2, kMaxBackOff);
        }
        if (failures > 0) spdlog::info("{}: delivered seq {} after {} failed attempts", who, e.seq, failures);
        if (Status s = t.cursors->Set(config.name, e.seq); !s.ok()) say(s);
        spdlog::debug("{}: delivered seq {} ({} of seam {})", who, e.seq, kind, seam->second.name);
      }
      last = e.seq;
    }
    if (last != *cursor) {
      if (Status s = t.cursors->Set(config.name, last); !s.ok()) say(s);
      cursor = last;
    }
  }
}

}  // namespace seam::seamd
