#include "store/postgres/pg_conn.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace seam::pg {
namespace {

constexpr char kHex[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One element of an array literal: double-quoted, with '"' and '\' escaped.
void AppendQuoted(std::string& out, std::string_view value) {
  out += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

// A server-reported error: its message's first line and SQLSTATE.
Status FromResult(const PGresult* r, PGconn* conn, std::string_view doing, const std::string& where) {
  const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn);
  if (message.empty()) message = PQerrorMessage(conn);
  if (const std::size_t nl = message.find('\n'); nl != std::string::npos) message.resize(nl);
  const std::string text = std::string(doing) + " on " + where + ": " + message +
                           (state != nullptr ? " (SQLSTATE " + std::string(state) + ")" : "");
  if (PQstatus(conn) != CONNECTION_OK) return Status::Unavailable(text);
  if (state != nullptr && (std::strcmp(state, "40001") == 0 || std::strcmp(state, "40P01") == 0)) {
    return Status::Conflict(text);
  }
  return Status::IoError(text);
}

}  // namespace

std::string ByteaHex(std::string_view bytes) {
  std::string out = "\\x";
  out.reserve(2 + bytes.size() * 2);
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

bool ParseByteaHex(std::string_view text, std::string* out) {
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) return false;
  out->clear();
  out->reserve((text.size() - 2) / 2);
  for (std::size_t i = 2; i < text.size(); i += 2) {
    const int hi = HexValue(text[i]);
    const int lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

Params& Params::Add(std::string value) {
  values_.push_back(std::move(value));
  pointers_.push_back(values_.back().c_str());
  return *this;
}

Params& Params::Text(std::string value) { return Add(std::move(value)); }
Params& Params::Int(std::int64_t value) { return Add(std::to_string(value)); }
Params& Params::Bytes(std::string_view bytes) { return Add(ByteaHex(bytes)); }

Params& Params::TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += ',';
    AppendQuoted(out, values[i]);
  }
  return Add(out + "}");
}

Params& Params::IntArray(const std::vector<std::int64_t>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i != 0 ? "," : "") + std::to_string(values[i]);
  return Add(out + "}");
}

Params& Params::BytesArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += ',';
    AppendQuoted(out, ByteaHex(values[i]));
  }
  return Add(out + "}");
}

bool Rows::Bytes(int row, int col, std::string* out) const {
  if (PQfformat(result_.get(), col) == 1) {
    out->assign(Text(row, col));
    return true;
  }
  return ParseByteaHex(Text(row, col), out);
}

std::int64_t Rows::Int(int row, int col) const {
  const std::string_view t = Text(row, col);
  if (PQfformat(result_.get(), col) == 1) {
    if (t.size() != 8) return 0;
    std::uint64_t v = 0;
    for (char c : t) v = (v << 8) | static_cast<unsigned char>(c);
    return static_cast<std::int64_t>(v);
  }
  std::int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

bool Rows::HashAt(int row, int col, seam::Hash* out) const {
  std::string bytes;
  if (!Bytes(row, col, &bytes) || bytes.size() != out->size()) return false;
  std::memcpy(out->data(), bytes.data(), out->size());
  return true;
}

std::string DescribeUrl(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    if (error != nullptr) PQfreemem(error);
    const std::size_t at = url.rfind('@');
    return at == std::string::npos ? url : url.substr(0, url.find("//") + 2) + "…" + url.substr(at);
  }
  std::string user, host, port, db;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string key = o->keyword;
    if (key == "user") user = o->val;
    if (key == "host") host = o->val;
    if (key == "port") port = o->val;
    if (key == "dbname") db = o->val;
  }
  PQconninfoFree(options);
  if (!host.empty() && host.front() == '/') host = "socket " + host;
  return "postgresql://" + (user.empty() ? "" : user + "@") + host + (port.empty() ? "" : ":" + port) + "/" + db;
}

namespace {

// What every connection of seam's is opened with, blocking or not.
struct ConnectParams {
  // expand_dbname: `dbname` holds the whole URL; the keys after it add to what it says.
  const char* keys[11];
  const char* values[11];
  ConnectParams(const std::string& url, const std::string& password)
      : keys{"dbname",           "connect_timeout",     "keepalives",        "keepalives_idle",
             "keepalives_interval", "keepalives_count", "tcp_user_timeout",  "application_name",
             "options",          password.empty() ? nullptr : "password", nullptr},
        // bytea_output: the rows are read as hex text whatever the server's default.
        values{url.c_str(), "10", "1", "5", "2", "3", "10000", "seam", "-c bytea_output=hex", password.c_str(),
               nullptr} {}
};

}  // namespace

Result<std::unique_ptr<PGconn, ConnDeleter>> StartConnect(const std::string& url, const std::string& password) {
  const ConnectParams params(url, password);
  std::unique_ptr<PGconn, ConnDeleter> conn(PQconnectStartParams(params.keys, params.values, 1));
  if (conn == nullptr) return Status::Unavailable("connecting to " + DescribeUrl(url) + ": out of memory");
  if (PQstatus(conn.get()) == CONNECTION_BAD) {
    return Status::IoError("cannot connect to " + DescribeUrl(url) + ": " + OneLine(PQerrorMessage(conn.get())));
  }
  PQsetNoticeProcessor(conn.get(), [](void*, const char*) {}, nullptr);
  return conn;
}

std::string OneLine(std::string message) {
  // libpq's continuation lines start with a tab: every run of whitespace becomes one space.
  std::string out;
  for (char c : message) {
    const bool space = c == '\n' || c == '\t' || c == '\r' || c == ' ';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& url, const std::string& password) {
  const ConnectParams params(url, password);
  std::unique_ptr<PGconn, ConnDeleter> conn(PQconnectdbParams(params.keys, params.values, 1));
  const std::string where = DescribeUrl(url);
  if (conn == nullptr) return Status::Unavailable("connecting to " + where + ": out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    const std::string message = OneLine(PQerrorMessage(conn.get()));
    // IoError, not Unavailable: a database that cannot be reached is trouble (exit 2), not a
    // busy stream to retry in a moment (exit 3).
    return Status::IoError("cannot connect to " + where + ": " + message);
  }
  // The server's notices (a WARNING as it shuts down, say) would go to stderr, where seamctl
  // promises one line; the errors that matter come back as results.
  PQsetNoticeProcessor(conn.get(), [](void*, const char*) {}, nullptr);
  return std::unique_ptr<Connection>(new Connection(std::move(conn), where));
}

Status Connection::Reconnect(std::string_view doing) {
  // Between transactions, read what the server sent while the connection was idle (without
  // waiting): a server that went away meanwhile closed the socket, and libpq only learns it
  // here. Without this, each connection of a pool would fail one call after a restart.
  // Twice: the first read may return the server's farewell message, the second finds the end.
  for (int i = 0; i < 2 && !in_transaction_ && !suspect_ && PQstatus(conn_.get()) == CONNECTION_OK; ++i) {
    if (PQconsumeInput(conn_.get()) == 0) suspect_ = true;
  }
  if (PQstatus(conn_.get()) == CONNECTION_OK && !suspect_) return Status::Ok();
  suspect_ = true;  // until made again
  if (in_transaction_) {
    in_transaction_ = false;  // said once; the next call starts afresh
    return Status::Unavailable(std::string(doing) + ": lost the connection to " + describe_ +
                               " inside a transaction");
  }
  PQreset(conn_.get());
  suspect_ = false;
  prepared_.clear();  // a new session has none
  if (PQstatus(conn_.get()) != CONNECTION_OK) {
    const std::string message = OneLine(PQerrorMessage(conn_.get()));
    return Status::Unavailable(std::string(doing) + ": lost the connection to " + describe_ +
                               " and cannot make it again: " + message);
  }
  for (const std::string& sql : session_) {
    ResultPtr r(PQexec(conn_.get(), sql.c_str()));
    if (r == nullptr || PQresultStatus(r.get()) != PGRES_COMMAND_OK) return FromResult(r.get(), conn_.get(), doing, describe_);
  }
  return Status::Ok();
}

Status Connection::Failed(const PGresult* r, std::string_view doing) {
  // An error the server did not send (no SQLSTATE: a write or read on the socket failed) may
  // leave libpq still calling the connection good; the next call makes it again.
  if (PQstatus(conn_.get()) != CONNECTION_OK || r == nullptr || PQresultErrorField(r, PG_DIAG_SQLSTATE) == nullptr) {
    suspect_ = true;
  }
  return FromResult(r, conn_.get(), doing, describe_);
}

void Connection::NoteTransaction() {
  // UNKNOWN: the connection is gone, and with it whatever was open; what was open before stays
  // the answer, so the reconnect can tell.
  const PGTransactionStatusType tx = PQtransactionStatus(conn_.get());
  if (tx != PQTRANS_UNKNOWN) in_transaction_ = tx == PQTRANS_INTRANS || tx == PQTRANS_INERROR;
}

Status Connection::SetForSession(const std::string& sql) {
  session_.push_back(sql);
  ResultPtr r(PQexec(conn_.get(), sql.c_str()));
  if (r == nullptr || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    return FromResult(r.get(), conn_.get(), "setting up the session", describe_);
  }
  return Status::Ok();
}

Result<Rows> Connection::Exec(const std::string& sql, const Params& params, std::string_view doing, bool binary) {
  SEAM_RETURN_IF_ERROR(Reconnect(doing));
  ResultPtr r(PQexecParams(conn_.get(), sql.c_str(), params.size(), nullptr, params.values(), nullptr, nullptr,
                           binary ? 1 : 0));
  NoteTransaction();
  const ExecStatusType st = r != nullptr ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) return Failed(r.get(), doing);
  return Rows(std::move(r));
}

Result<Rows> Connection::ExecPrepared(const std::string& name, const std::string& sql, const Params& params,
                                      std::string_view doing) {
  SEAM_RETURN_IF_ERROR(Reconnect(doing));
  if (std::find(prepared_.begin(), prepared_.end(), name) == prepared_.end()) {
    ResultPtr made(PQprepare(conn_.get(), name.c_str(), sql.c_str(), params.size(), nullptr));
    NoteTransaction();
    if (made == nullptr || PQresultStatus(made.get()) != PGRES_COMMAND_OK) return Failed(made.get(), doing);
    prepared_.push_back(name);
  }
  ResultPtr r(PQexecPrepared(conn_.get(), name.c_str(), params.size(), params.values(), nullptr, nullptr, 0));
  NoteTransaction();
  const ExecStatusType st = r != nullptr ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) return Failed(r.get(), doing);
  return Rows(std::move(r));
}

Result<Rows> Connection::ExecScript(const std::string& sql, std::string_view doing) {
  SEAM_RETURN_IF_ERROR(Reconnect(doing));
  ResultPtr r(PQexec(conn_.get(), sql.c_str()));
  NoteTransaction();
  const ExecStatusType st = r != nullptr ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) return Failed(r.get(), doing);
  return Rows(std::move(r));
}

}  // namespace seam::pg
