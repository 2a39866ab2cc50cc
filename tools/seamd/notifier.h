#pragma once
// seamd's notifications (README "Notifications"): every [[notify]] target gets the
// notifications (tools/common/notification.h) of the log's events after its cursor, in log
// order, each target on a thread and a read-only log connection of its own, so a target that
// is slow or down never slows a pass or another target.
//
// Never lost: a target's cursor (the seq of the last event it was given, or found nothing in)
// is kept in <state_dir>/notify-cursors.db (SQLite, synchronous=FULL) and advanced only after a
// delivery; a delivery that fails is tried again with back-off (1 s doubling to 60 s) until it
// succeeds or seamd stops, and a seamd restarted (or killed) delivers from the cursor on: at
// least once, the event's seq being the receiver's idempotency key. A target seen for the first
// time starts at the log's head (a new target is not sent the log's history).
//
// An alertmanager target gets alerts instead (tools/common/drift_alerts.h): at start the open
// drifts are folded from the log up to the cursor and posted, each drift's alert is posted when
// it opens and again, resolved, when it closes (with the same retries and cursor), and every
// open alert is posted again every minute so Alertmanager's resolve_timeout does not end it.
//
// One host only for now: with a PostgreSQL store several agents would each notify, so Start
// refuses it (the owner-only notifier and a cursor kept in the store are to come).

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/config.h"
#include "core/secret.h"
#include "core/status.h"

namespace seam::seamd {

class Notifier {
 public:
  // Starts one thread per target of `config.notify` (none: a notifier that does nothing).
  // FailedPrecondition for a PostgreSQL store; IoError when the cursor book cannot be opened.
  static Result<std::unique_ptr<Notifier>> Start(const Config& config, const Secret& master_key);
  ~Notifier();  // stops every thread; an attempt in flight runs to its timeout first

  // The log moved: look now rather than at the next poll (250 ms).
  void Poke();

 private:
  struct Target;
  Notifier() = default;
  void Run(Target& target);

  std::mutex mu_;
  std::condition_variable wake_;
  std::uint64_t pokes_ = 0;
  bool stop_ = false;
  std::vector<std::unique_ptr<Target>> targets_;
  std::vector<std::thread> threads_;
};

}  // namespace seam::seamd
