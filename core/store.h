#pragma once
// Store: everything a tool opens to work on seams, from one place (store::Open, store/open.h, by
// the `[store]` table or its URL): the event log, the writer lock of each stream, and the
// confirmation book. Tools name this interface, never an implementation, so a store that spans
// hosts (PostgreSQL) brings its own lock and book without touching them.
//
// Thread-compatible: one object is used from one thread at a time; what it hands out (a lock, a
// book) may be used from another thread than the store's.

#include <chrono>
#include <memory>
#include <string>

#include "core/confirmation_book.h"
#include "core/event_store.h"
#include "core/notify_cursor_book.h"
#include "core/ownership.h"
#include "core/status.h"

namespace seam {

// Held while one writer works on one stream; released when destroyed, and by the store when the
// holder dies (a SIGKILLed process never leaves a stream locked).
class WriterLock {
 public:
  virtual ~WriterLock() = default;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual EventStore& Log() = 0;

  // Serialises the writers of one stream (an operation or a repair pass holds it from the replay
  // of the log to the last side write). Without it, two writers interleave replay, observe and
  // write: each judges the other's fresh value foreign, and a side ends on a stale value; the
  // log's expected-version check alone only serialises the appends. Waits up to `wait`;
  // Unavailable (exit 3, retryable) names the holder when the wait runs out; IoError when the
  // lock cannot be taken at all. `actor` is shown to whoever waits next.
  virtual Result<std::unique_ptr<WriterLock>> LockStream(const std::string& stream, const std::string& actor,
                                                         std::chrono::milliseconds wait) = 0;

  // The book of when each side was last seen in sync (core/confirmation_book.h). It only narrows
  // drift brackets: callers warn on an error and go on without it.
  virtual Result<std::unique_ptr<ConfirmationBook>> OpenConfirmationBook() = 0;

  // Where each [[notify]] target stands (core/notify_cursor_book.h), on a connection of its own
  // (a notifier's thread). Writable even when the store was opened read-only: the cursors are
  // not the log. IoError when it cannot be opened.
  virtual Result<std::unique_ptr<NotifyCursorBook>> OpenNotifyCursors() = 0;

  // The ownership leases of seams that several hosts' agents share (core/ownership.h), on a
  // connection of their own (a seamd renews them off its loop). A store on one host has none:
  // FailedPrecondition.
  virtual Result<std::unique_ptr<OwnershipLeases>> OpenOwnership() {
    return Status::FailedPrecondition("the event log " + Describe() +
                                      " keeps no ownership leases: seams shared by several hosts' agents need a "
                                      "PostgreSQL store ([store] url = \"postgresql://...\")");
  }

  // The sealing key, for a store that several hosts share (each with its own copy of the key
  // file): the store keeps the fingerprint of the key its secrets are sealed with (the first one
  // checked), and refuses another with FailedPrecondition naming both fingerprints, before
  // anything is sealed or opened with it. `fingerprint` is KeyFingerprint (core/crypto.h). A
  // store opened read-only only compares. A store on one host keeps none: its key file sits
  // beside it.
  virtual Status CheckKey(const std::string& fingerprint) {
    (void)fingerprint;
    return Status::Ok();
  }
  // The fingerprint CheckKey recorded, "" when none: `seamctl init` on a second host must not
  // mint a new key for a log that already has one.
  virtual Result<std::string> RecordedKey() { return std::string(); }

  // For messages: the log's file for a file store ("/var/lib/seam/events.db"), else its URL
  // without credentials.
  virtual std::string Describe() const = 0;

  // What the person should know about how the store was opened, "" normally: a read-only open
  // on a full disk reading the log's file alone (store/sqlite_event_store.h notice()).
  virtual std::string Notice() const { return std::string(); }
};

}  // namespace seam
