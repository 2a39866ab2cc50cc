#pragma once
// PgLoopWatch: the PostgreSQL log's append watch for an event loop (core/event_store.h
// LoopAppendWatch), so seamd waits on the database's socket in its Asio loop and no thread
// blocks on it. libpq's asynchronous calls only: PQconnectStartParams/PQconnectPoll to connect,
// PQsendQuery for `LISTEN seam_appends` and the head, PQconsumeInput/PQnotifies for the
// notifications, whose payload is the new head seq (seam_append's pg_notify), so a wake-up
// costs no query.
//
// Notifications are lost while disconnected and only wake: after every connection the head is
// read (catching up), and again whenever `poll` passes without a notification. A connection
// that does not come up within the connect deadline, a query unanswered as long, or a socket
// error drops the connection; the next is tried after a back-off (100 ms doubling to 5 s).
//
// Thread-compatible: used from the loop's thread only.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <libpq-fe.h>

#include "core/event_store.h"
#include "store/postgres/pg_conn.h"

namespace seam::pg {

class PgLoopWatch final : public LoopAppendWatch {
 public:
  struct Timing {
    std::chrono::milliseconds poll{1000};     // the head is read this often without notifications
    std::chrono::milliseconds deadline{10000};  // to connect, and for a query's answer
  };
  PgLoopWatch(std::string url, std::string password, std::int64_t after_seq, Timing timing);
  ~PgLoopWatch() override;

  Wait Next() const override;
  std::optional<std::int64_t> Step(bool timed_out) override;
  std::string Trouble() const override { return trouble_; }

 private:
  enum class State {
    kIdle,        // no connection; the next Step starts one (after the back-off)
    kConnecting,  // PQconnectPoll until OK
    kQuerying,    // a query was sent; its results are read as they come
    kListening,   // waiting for notifications
  };
  using Clock = std::chrono::steady_clock;

  void Drop(const std::string& why);
  bool Send(const char* sql);
  // Reads what arrived; false when the connection failed (dropped).
  bool Consume();

  std::string url_;
  std::string password_;
  Timing timing_;
  std::unique_ptr<PGconn, ConnDeleter> conn_;
  State state_ = State::kIdle;
  PostgresPollingStatusType polling_ = PGRES_POLLING_WRITING;
  bool unflushed_ = false;  // a query not all sent yet: wait for the socket to be writable
  Clock::time_point due_;  // the back-off's end (kIdle), the deadline (kConnecting, kQuerying), the next poll (kListening)
  std::chrono::milliseconds backoff_{100};
  std::int64_t last_;
  std::optional<std::int64_t> moved_;  // the head read or notified during this Step, when it moved
  std::string trouble_ = "not connected yet";
};

}  // namespace seam::pg
