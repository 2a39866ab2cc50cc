#pragma once
// Side: one place where a component keeps a seam's entity (a JSON file, an HTTP endpoint, ...).
//
// Sides do no I/O when they are constructed (from config); only Observe/Write/Remove touch the
// outside world. They never throw: every failure is an `unreadable` observation or a Status.
// Values crossing this interface are already transformed (core/transform.h): a side that
// stores a SHA-256 hex digest receives and returns the digest.
//
// A side holds a *record*: the named fields of the entity it keeps. A token seam has the one
// field `token`; a pairing has `device_id`, `token`, `gateway_url` and `paired_at`. Each side
// maps some of its kind's fields to places (`[seam.sides.NAME.fields]`, or the shorthand
// `pointer` / `value_column` for the kind's primary field) and reports them in Fields().

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/secret.h"
#include "core/status.h"

namespace seam {

// An opaque token identifying what a side held when observed (for files: device, inode, size,
// mtime and a digest of the content). Two observations of an unchanged side have equal
// markers. Never printed: it may be derived from secret content.
struct ChangeMarker {
  std::string opaque;
  bool operator==(const ChangeMarker&) const = default;
};

// Field name -> value as the side stores it. Fields are small; a std::map keeps them in a
// stable order for messages.
using Record = std::map<std::string, Secret>;

struct Observation {
  enum class State { kValue, kMissing, kUnreadable };
  State state = State::kMissing;
  // When state == kValue: the mapped fields the side holds (at least one). A mapped field that
  // is absent from `fields` is missing on that side; the side as a whole is kMissing only when
  // it holds none of them.
  Record fields;
  std::string reason;  // set when state == kUnreadable: one line, what and where, no secrets
  ChangeMarker marker;
  std::int64_t changed_at_us = 0;  // when the side last changed (e.g. file mtime), 0 if unknown
  // What identifies the run of the component behind the side (http-json `restart_marker`: a
  // boot id or start time in its response); "" when the side has none. Never secret: it is
  // recorded in the log (SideRestarted) when it changes. Set on kValue and kMissing.
  std::string restart_marker;
  // kMissing only: the side was reached and answered that the entity is not there (an HTTP 404,
  // an absent member or null in a file that exists, a NULL cell or no row in a table that
  // exists, a program answering null): what a deliberate removal looks like. False for a
  // missing file or database (an unmounted volume, a fresh host), which says nothing of intent.
  // A side with `may_revoke` turns only such an answer into a revocation.
  bool answered_absent = false;
  // kValue with no fields: a probing side (below) was asked about every value it was given and
  // rejected each one: it holds something, but none of the log's values. `reason` then says
  // what was tried ("rejects rev 3 (intended) and 2 earlier ones"), never a value.
  bool none_accepted = false;

  // The field's value, or nullptr when the side does not hold it.
  const Secret* Field(const std::string& name) const {
    auto it = fields.find(name);
    return it == fields.end() ? nullptr : &it->second;
  }

  static Observation Value(Record f, ChangeMarker m, std::int64_t changed_at_us = 0) {
    Observation o;
    o.state = State::kValue;
    o.fields = std::move(f);
    o.marker = std::move(m);
    o.changed_at_us = changed_at_us;
    return o;
  }
  static Observation Missing(ChangeMarker m, std::int64_t changed_at_us = 0) {
    Observation o;
    o.state = State::kMissing;
    o.marker = std::move(m);
    o.changed_at_us = changed_at_us;
    return o;
  }
  // kMissing, answered by a side that was reached (answered_absent).
  static Observation Absent(ChangeMarker m, std::int64_t changed_at_us = 0) {
    Observation o = Missing(std::move(m), changed_at_us);
    o.answered_absent = true;
    return o;
  }
  static Observation NoneAccepted(std::string tried, ChangeMarker m) {
    Observation o;
    o.state = State::kValue;
    o.none_accepted = true;
    o.reason = std::move(tried);
    o.marker = std::move(m);
    return o;
  }
  static Observation Unreadable(std::string why) {
    Observation o;
    o.state = State::kUnreadable;
    o.reason = std::move(why);
    return o;
  }
};

// When an observation must be over. A side that waits (a program, a server, a busy database)
// stops waiting at its own timeout or at the deadline, whichever comes first; one that is cut
// short by the deadline is unreadable and says so (DeadlineReason). Sides that only read files
// do not wait and ignore it.
using Deadline = std::chrono::steady_clock::time_point;
inline constexpr Deadline kNoDeadline = Deadline::max();

// How long a side that waits may wait for one observation: its own timeout, or what is left
// until the deadline when that comes first.
struct WaitBudget {
  std::chrono::milliseconds allowed{0};
  bool cut = false;  // the deadline, not the side's timeout, set `allowed`
  Deadline deadline = kNoDeadline;

  // Nothing left: the side should not even start.
  bool Expired() const { return allowed.count() <= 0; }
  // A failure now is the deadline's doing: it was binding and has passed. (A side's own timer
  // set from `allowed`, whole milliseconds rounded down, fires up to 1 ms before it.)
  bool Overran() const {
    return cut && std::chrono::steady_clock::now() + std::chrono::milliseconds(1) >= deadline;
  }
};
WaitBudget BudgetFor(std::chrono::milliseconds timeout, Deadline deadline);
// The reason of an observation the deadline cut short or never let begin: "no answer by the
// deadline (N ms)", naming the wait it allowed.
std::string DeadlineReason(const WaitBudget& budget);

// What a probing side is asked about: one record the log has set (through the side's transform),
// by the stream version of the event that set it.
struct ProbeCandidate {
  std::int64_t version = 0;
  Record record;
  std::int64_t revision = 0;  // the revision people read ("rev 3"); 0: not known
};
struct ProbeCandidates {
  bool active = false;  // the log intends a value: `newest_first` starts with it
  std::vector<ProbeCandidate> newest_first;  // the intended record (when active), then older ones
};
// Gives a probing side the seam's records as the log holds them now, at most `older` besides
// the intended one. Thread-safe; called by Observe, possibly on several threads.
using CandidateSource = std::function<Result<ProbeCandidates>(std::size_t older)>;

class Side {
 public:
  virtual ~Side() = default;

  // What the side holds right now, by `deadline` at the latest. Never throws; errors become
  // kUnreadable with the reason.
  virtual Observation Observe(Deadline deadline) = 0;
  // By the side's own timeouts only.
  Observation Observe() { return Observe(kNoDeadline); }

  // Sides that read over the network (http-json, tls-endpoint) can observe without holding a
  // thread while they wait: ObserveAsync starts the read and returns at once, and `done` is
  // called exactly once, on another thread (the network thread, plugins/common/network_context.h),
  // with what Observe(deadline) would have returned. `done` must not block; the caller keeps
  // the side alive until it has been called. Other sides observe in the caller's thread (the
  // default), which a daemon avoids by asking ObservesAsync first.
  virtual bool ObservesAsync() const { return false; }
  virtual void ObserveAsync(Deadline deadline, std::function<void(Observation)> done) {
    done(Observe(deadline));
  }

  // The fields of the kind this side maps (and Observe reports), in a stable order.
  virtual std::vector<std::string> Fields() const = 0;

  // Stores the mapped fields present in `record` in one atomic write (one rename, one SQL
  // transaction, one HTTP request), but only if the side still matches `expected` (the marker
  // of the observation the caller decided on). Fields of `record` the side does not map are
  // ignored; mapped fields absent from `record` are left as they are. Returns
  // FailedPrecondition when the side changed since, and writes nothing in that case.
  virtual Status Write(const Record& record, const ChangeMarker& expected) = 0;

  // Removes every mapped field (token revoked, device unpaired), with the same compare-and-swap
  // rule as Write. Removing absent fields is ok.
  virtual Status Remove(const ChangeMarker& expected) = 0;

  // A cheap check, without writing anything, that Write/Remove could succeed now: e.g. the
  // directory exists and the target is a regular file or absent. Operations call it on every
  // side before recording an event, so a side that can never be written refuses the operation
  // instead of leaving the log ahead of it. Returns FailedPrecondition with the reason.
  virtual Status CheckWritable() = 0;

  // False for sides seam can only observe (a TLS endpoint serves whatever its server loaded).
  // Their Write/Remove return FailedPrecondition; their repair is the side's on_repair command
  // alone, after which they are observed again.
  virtual bool Writable() const { return true; }

  // Files whose change means the side may have changed; a daemon watches their directories
  // (so renames, deletion and re-creation are seen). Empty for sides that are not files: a
  // daemon polls those.
  virtual std::vector<std::filesystem::path> WatchPaths() const { return {}; }

  // Where in a file each mapped field is kept, for `seamctl discover` to tell the places a
  // config already covers from those it does not. `locator` is in the form discover reports
  // (tools/discover/place.h): a JSON pointer (json-file, toml-file; yaml-file "#N/…" for
  // document N > 0), a variable name (env-file), `table.column where key_column = "key"`
  // (sqlite-row), `certificate` / `private key` (pem-file); a tls-endpoint gives `HOST:PORT`
  // (`[v6]:PORT`) as its file and `served certificate`. Empty for the other sides.
  struct FilePlace {
    std::filesystem::path file;
    std::string locator;
  };
  virtual std::vector<FilePlace> FilePlaces() const { return {}; }

  // The server this side reads over the network, if any: a daemon holds an idle TCP connection
  // to it, and the server closing that connection (a restart, its own idle timeout) makes the
  // daemon look again as soon as the server accepts connections, instead of at the next poll.
  struct Endpoint {
    std::string host;  // a DNS name or an IP literal (no brackets)
    std::string port;  // decimal digits
    friend bool operator==(const Endpoint&, const Endpoint&) = default;
  };
  virtual std::optional<Endpoint> WatchEndpoint() const { return std::nullopt; }

  // Probing sides (exec-probe, http-probe) cannot be read: they can only be asked whether a
  // value works. Their Observe asks about the candidates their source gives, newest first, and
  // answers with the first one accepted (as if it had been read: in_sync or lagging), with
  // NoneAccepted when every one is rejected (foreign), or unreadable when the answer is
  // neither. The tools layer, which owns the log, installs the source once the config is loaded;
  // a probing side without one is unreadable.
  virtual bool Probes() const { return false; }
  virtual void SetCandidateSource(CandidateSource /*source*/) {}

  // A short human description of where the side is, for messages: "json-file cli/paired.json#/token".
  virtual std::string Describe() const = 0;
};

}  // namespace seam
