#pragma once
// seamd's notifications (README "Notifications"): every [[notify]] target gets the
// notifications (tools/common/notification.h) of the log's events after its cursors, in log
// order, each target on a thread and a log connection of its own, so a target that is slow or
// down never slows a pass or another target.
//
// Never lost: where a target stands is kept by the store (core/notify_cursor_book.h: a file
// beside the SQLite log, a table of the PostgreSQL one): a cursor per stream, advanced only after
// a delivery (one write per batch of events read, never per event). A delivery that fails is
// tried again with back-off (1 s doubling to 60 s) until it succeeds, seamd stops, or the seam is
// no longer this agent's; a seamd restarted (or killed) delivers from the cursors on: at least
// once, the event's seq being the receiver's idempotency key. A target seen for the first time
// starts at the log's head (a new target is not sent the log's history).
//
// Only the seam's owner notifies (many hosts, README "Many hosts"): each agent reads the whole log
// but delivers the events of the seams whose ownership lease it holds (with [[notify]] tables,
// every seam gets an owner, even one whose sides all name agents). When it gains a seam it first
// delivers what the seam's cursor says is still owed (the last owner may have stopped halfway);
// when it loses one it stops, and the cursor tells the next owner where to go on. A lease that
// changes hands mid-delivery can send an event twice, never lose it. On a store one host keeps,
// this agent owns every seam.
//
// An alertmanager target gets alerts instead (tools/common/drift_alerts.h): the open drifts are
// folded from the whole log first, each drift's alert is posted when it opens and again,
// resolved, when it closes (with the same retries and cursors), and every open alert of this
// agent's seams is posted again every minute, and at once when it gains a seam, so
// Alertmanager's resolve_timeout does not end it. (An alert resolved while its seam changed
// hands may be ended by that timeout rather than by a post.)

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/config.h"
#include "core/secret.h"
#include "core/status.h"

namespace seam::seamd {

class OwnershipKeeper;

class Notifier {
 public:
  // Starts one thread per target of `config.notify` (none: a notifier that does nothing).
  // `owners` says which seams are this agent's (null: all of them). IoError when the log or the
  // cursors cannot be opened.
  static Result<std::unique_ptr<Notifier>> Start(const Config& config, const Secret& master_key,
                                                 std::shared_ptr<const OwnershipKeeper> owners);
  ~Notifier();  // stops every thread; an attempt in flight runs to its timeout first

  // The log moved: look now rather than at the next poll (250 ms).
  void Poke();

 private:
  class Target;
  Notifier() = default;

  // Waits up to `d`, or until a poke (when `on_poke`, counting from `*seen`) or stop; false once
  // stopping.
  bool Wait(std::chrono::milliseconds d, bool on_poke, std::uint64_t* seen);

  std::mutex mu_;
  std::condition_variable wake_;
  std::uint64_t pokes_ = 0;
  bool stop_ = false;
  std::vector<std::unique_ptr<Target>> targets_;
  std::vector<std::thread> threads_;
};

}  // namespace seam::seamd
