#include "store/postgres/pg_loop_watch.h"

#include <algorithm>
#include <charconv>
#include <string_view>
#include <utility>

namespace seam::pg {
namespace {

// One round trip after connecting: listen, then read the head (catching up with what was
// appended before LISTEN took effect). Two results, read as they come.
constexpr char kListenAndHead[] = "LISTEN seam_appends; SELECT seq FROM seam_head WHERE id = 1";
constexpr char kHead[] = "SELECT seq FROM seam_head WHERE id = 1";

std::optional<std::int64_t> ParseSeq(std::string_view text) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0) return std::nullopt;
  return v;
}

}  // namespace

PgLoopWatch::PgLoopWatch(std::string url, std::string password, std::int64_t after_seq, Timing timing)
    : url_(std::move(url)), password_(std::move(password)), timing_(timing), due_(Clock::now()), last_(after_seq) {}

PgLoopWatch::~PgLoopWatch() = default;

LoopAppendWatch::Wait PgLoopWatch::Next() const {
  Wait w;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(due_ - Clock::now());
  w.timeout = std::max(std::chrono::milliseconds(0), left);
  if (state_ == State::kIdle || conn_ == nullptr) return w;
  w.fd = PQsocket(conn_.get());
  w.write = (state_ == State::kConnecting && polling_ == PGRES_POLLING_WRITING) || unflushed_;
  return w;
}

void PgLoopWatch::Drop(const std::string& why) {
  conn_.reset();
  unflushed_ = false;
  state_ = State::kIdle;
  trouble_ = why;
  due_ = Clock::now() + backoff_;
  backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(5000));
}

bool PgLoopWatch::Send(const char* sql) {
  // Non-blocking: a query this small goes out whole unless the socket's buffer is full; what is
  // left is flushed once the socket is writable (unflushed_ makes Next ask for that).
  const int flushed = PQsendQuery(conn_.get(), sql) == 0 ? -1 : PQflush(conn_.get());
  if (flushed < 0) {
    Drop("sending a query to " + DescribeUrl(url_) + ": " + OneLine(PQerrorMessage(conn_.get())));
    return false;
  }
  unflushed_ = flushed == 1;
  state_ = State::kQuerying;
  due_ = Clock::now() + timing_.deadline;
  return true;
}

bool PgLoopWatch::Consume() {
  const int flushed = PQflush(conn_.get());
  if (flushed < 0 || PQconsumeInput(conn_.get()) == 0) {
    Drop("the connection to " + DescribeUrl(url_) + " failed: " + OneLine(PQerrorMessage(conn_.get())));
    return false;
  }
  unflushed_ = flushed == 1;
  while (PGnotify* n = PQnotifies(conn_.get())) {
    // Notified heads only move forward (a late one never undoes a newer head read).
    if (std::optional<std::int64_t> seq = ParseSeq(n->extra); seq && *seq > moved_.value_or(last_)) moved_ = *seq;
    PQfreemem(n);
    if (state_ == State::kListening) due_ = Clock::now() + timing_.poll;
  }
  if (state_ != State::kQuerying) return true;
  while (PQisBusy(conn_.get()) == 0) {
    ResultPtr result(PQgetResult(conn_.get()));
    if (result == nullptr) {
      // Every result of the query is in: back to waiting, and to reading the head every poll.
      state_ = State::kListening;
      due_ = Clock::now() + timing_.poll;
      trouble_.clear();
      backoff_ = std::chrono::milliseconds(100);
      return true;
    }
    const ExecStatusType status = PQresultStatus(result.get());
    if (status == PGRES_TUPLES_OK && PQntuples(result.get()) == 1) {
      if (std::optional<std::int64_t> seq = ParseSeq(PQgetvalue(result.get(), 0, 0))) {
        // The head as it is: a log restored to an older head is reported too.
        if (*seq != last_) moved_ = *seq;
      }
    } else if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      Drop("reading the head of " + DescribeUrl(url_) + ": " + OneLine(PQresultErrorMessage(result.get())));
      return false;
    }
  }
  return true;
}

std::optional<std::int64_t> PgLoopWatch::Step(bool timed_out) {
  moved_.reset();
  const Clock::time_point now = Clock::now();
  switch (state_) {
    case State::kIdle: {
      if (now < due_) return std::nullopt;
      Result<std::unique_ptr<PGconn, ConnDeleter>> started = StartConnect(url_, password_);
      if (!started.ok()) {
        Drop(started.status().message());
        return std::nullopt;
      }
      conn_ = std::move(*started);
      state_ = State::kConnecting;
      polling_ = PGRES_POLLING_WRITING;  // libpq's documented first wait
      due_ = now + timing_.deadline;
      return std::nullopt;
    }
    case State::kConnecting: {
      if (timed_out && now >= due_) {
        Drop("connecting to " + DescribeUrl(url_) + ": no answer within " + std::to_string(timing_.deadline.count()) + " ms");
        return std::nullopt;
      }
      polling_ = PQconnectPoll(conn_.get());
      if (polling_ == PGRES_POLLING_FAILED) {
        Drop("cannot connect to " + DescribeUrl(url_) + ": " + OneLine(PQerrorMessage(conn_.get())));
        return std::nullopt;
      }
      if (polling_ != PGRES_POLLING_OK) return std::nullopt;
      if (PQsetnonblocking(conn_.get(), 1) != 0) {
        Drop("connecting to " + DescribeUrl(url_) + ": " + OneLine(PQerrorMessage(conn_.get())));
        return std::nullopt;
      }
      PQsetNoticeProcessor(conn_.get(), [](void*, const char*) {}, nullptr);
      Send(kListenAndHead);
      return std::nullopt;
    }
    case State::kQuerying:
      if (timed_out && now >= due_) {
        Drop("reading the head of " + DescribeUrl(url_) + ": no answer within " +
             std::to_string(timing_.deadline.count()) + " ms");
        return std::nullopt;
      }
      if (!Consume()) return std::nullopt;
      break;
    case State::kListening:
      if (!Consume()) return std::nullopt;
      // Quiet for a poll interval: read the head (a notification lost in a reconnect, or sent
      // while this connection was not listening yet, is caught up here).
      if (Clock::now() >= due_) Send(kHead);
      break;
  }
  if (!moved_ || *moved_ == last_) return std::nullopt;
  last_ = *moved_;
  return last_;
}

}  // namespace seam::pg
