#pragma once
// Status / Result<T>: the one error vocabulary of seam.
//
// Errors are values. Library exceptions (SQLite, toml++, cereal, nlohmann) are caught at the
// edge that calls the library and turned into a Status whose message says what failed and
// where (seam, side, file, line). Messages are one line and never contain secret material.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace seam {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad input: config, CLI arguments, a malformed file we were given
  kNotFound,            // a named thing does not exist
  kAlreadyExists,       // e.g. `token issue` on an entity that already has a token
  kFailedPrecondition,  // the world is not in a state the operation needs
  kConflict,            // optimistic concurrency: someone else appended first
  kCorruption,          // the log or a file we own is damaged
  kIoError,             // the operating system said no
  kUnavailable,         // busy / locked past the timeout; retrying may help
  kInternal,            // a bug in seam
};

// Short lower-case name of a code, for messages and --json output.
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<context>: <message>", so callers up the stack can say
  // which seam / side / file an error belongs to without losing the original reason.
  Status WithContext(const std::string& context) const;

  // "<code name>: <message>", or "ok".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or a non-ok Status. Constructing from an ok Status is a bug (asserted).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "Result constructed from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }

  // REQUIRES: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace seam

// Early-return helpers. They keep call sites flat without hiding control flow in exceptions.
#define SEAM_CONCAT_INNER(a, b) a##b
#define SEAM_CONCAT(a, b) SEAM_CONCAT_INNER(a, b)

#define SEAM_RETURN_IF_ERROR(expr)              \
  do {                                          \
    ::seam::Status seam_status_ = (expr);       \
    if (!seam_status_.ok()) return seam_status_; \
  } while (0)

#define SEAM_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

#define SEAM_ASSIGN_OR_RETURN(lhs, expr) \
  SEAM_ASSIGN_OR_RETURN_IMPL(SEAM_CONCAT(seam_result_, __LINE__), lhs, expr)
