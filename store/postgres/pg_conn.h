#pragma once
// A thin RAII layer over libpq (Debian `libpq-dev`): a connection, a result, parameters. Every
// statement is parameterised (no value is ever spliced into SQL), and results are read in text
// form (bytea as "\x…" hex). Messages name the database as Describe() shows it: never the
// password a URL may carry.

#include <libpq-fe.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace seam::pg {

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

// Statement parameters, all in text form.
class Params {
 public:
  Params() = default;
  // A copy points into its own strings.
  Params(const Params& other) {
    for (const std::string& v : other.values_) Add(v);
  }
  Params& operator=(const Params&) = delete;

  Params& Text(std::string value);
  Params& Int(std::int64_t value);
  Params& Bytes(std::string_view bytes);  // bytea, as hex ("\x…")
  Params& Hash(const seam::Hash& hash) { return Bytes(std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size())); }
  // A text[] / int8[] / bytea[] literal ("{…}", elements quoted as array input needs).
  Params& TextArray(const std::vector<std::string>& values);
  Params& IntArray(const std::vector<std::int64_t>& values);
  Params& BytesArray(const std::vector<std::string>& values);

  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return pointers_.data(); }

 private:
  Params& Add(std::string value);
  std::deque<std::string> values_;  // a deque: adding never moves the strings pointers_ point into
  std::vector<const char*> pointers_;
};

// "\x0a1b…" for bytea input, and back (false for text that is not that).
std::string ByteaHex(std::string_view bytes);
bool ParseByteaHex(std::string_view text, std::string* out);

// Starts a connection without waiting (PQconnectStartParams, with what Connection::Open sets):
// drive it with PQconnectPoll on its socket (PQsocket). libpq ignores connect_timeout here: the
// caller keeps its own deadline. A host *name* is still resolved before this returns (libpq's
// lookup blocks); a Unix socket directory or an IP address needs none.
Result<std::unique_ptr<PGconn, ConnDeleter>> StartConnect(const std::string& url, const std::string& password);

// libpq's multi-line error text as one line.
std::string OneLine(std::string message);

// A result row accessor (text form).
class Rows {
 public:
  explicit Rows(ResultPtr result) : result_(std::move(result)) {}
  int count() const { return PQntuples(result_.get()); }
  bool IsNull(int row, int col) const { return PQgetisnull(result_.get(), row, col) != 0; }
  std::string_view Text(int row, int col) const {
    return {PQgetvalue(result_.get(), row, col), static_cast<std::size_t>(PQgetlength(result_.get(), row, col))};
  }
  // An int8 column (text, or 8 bytes big-endian in a binary result).
  std::int64_t Int(int row, int col) const;
  // A bytea column: the bytes as they are in a binary result, hex text decoded otherwise; false
  // when text is not hex bytea.
  bool Bytes(int row, int col, std::string* out) const;
  bool HashAt(int row, int col, seam::Hash* out) const;

 private:
  ResultPtr result_;
};

class Connection {
 public:
  // Connects to `url` (a libpq URI or key=value string) with keepalives, a TCP user timeout and
  // a connect timeout, so a dead network ends a call in seconds, not when TCP gives up (hours).
  // `password`, when not empty, is passed beside the URL (never inside it: it would then show
  // wherever a URL is echoed); without it libpq looks in PGPASSFILE / ~/.pgpass. IoError, naming
  // the database without its password, when it cannot be reached.
  static Result<std::unique_ptr<Connection>> Open(const std::string& url, const std::string& password = "");

  // Runs `sql` with `params`; rows for a statement that returns them. Errors name `doing` and
  // the server's message and SQLSTATE; a serialization failure or deadlock is Conflict, a lost
  // connection Unavailable. A connection lost earlier is re-made first (one attempt per call,
  // bounded by the connect timeout), and the session settings replayed: a restarted server or
  // a network that came back costs the calls made while it was away, not the process.
  // Statements are never retried: whether a lost one committed is for the caller to find out;
  // nor is a connection lost inside a transaction made again before that transaction's caller
  // has been told (the next statement fails too).
  // `binary`: results in binary form (bytea as its bytes, int8 as 8 bytes: no hex to encode on
  // the server nor decode here; for the log's rows). Rows reads either form.
  Result<Rows> Exec(const std::string& sql, const Params& params, std::string_view doing, bool binary = false);
  Result<Rows> Exec(const std::string& sql, std::string_view doing) { return Exec(sql, Params(), doing); }
  // The same through a statement prepared once per connection under `name` (the parse and plan
  // of a statement run thousands of times, such as an append, saved).
  Result<Rows> ExecPrepared(const std::string& name, const std::string& sql, const Params& params,
                            std::string_view doing);
  // Several statements without parameters (a schema script), in the current transaction.
  Result<Rows> ExecScript(const std::string& sql, std::string_view doing);

  // Runs `sql` now and again after every reconnect (a session setting).
  Status SetForSession(const std::string& sql);

  PGconn* raw() { return conn_.get(); }
  const std::string& describe() const { return describe_; }

 private:
  Connection(std::unique_ptr<PGconn, ConnDeleter> conn, std::string describe)
      : conn_(std::move(conn)), describe_(std::move(describe)) {}
  Status Reconnect(std::string_view doing);
  void NoteTransaction();
  Status Failed(const PGresult* r, std::string_view doing);
  std::unique_ptr<PGconn, ConnDeleter> conn_;
  std::string describe_;
  std::vector<std::string> session_;  // SetForSession statements, replayed after a reconnect
  // The last statement left a transaction open: a connection lost now is not made again by the
  // next statement, which would then run outside the transaction it belongs to.
  bool in_transaction_ = false;
  bool suspect_ = false;  // the last call failed on the socket itself: make the connection again
  std::vector<std::string> prepared_;  // statements prepared on this connection (forgotten on reconnect)
};

// "postgresql://user@host:port/db" from a URL, without its password (host "socket DIR" for a
// Unix socket); the URL as it was when libpq cannot parse it, cut at any '@' before the host.
std::string DescribeUrl(const std::string& url);

}  // namespace seam::pg
