#pragma once
// Side: one place where a component keeps a seam's entity (a JSON file, an HTTP endpoint, ...).
//
// Sides do no I/O when they are constructed (from config); only Observe/Write/Remove touch the
// outside world. They never throw: every failure is an `unreadable` observation or a Status.
// Values crossing this interface are already transformed (core/transform.h): a side that
// stores a SHA-256 hex digest receives and returns the digest.

#include <cstdint>
#include <memory>
#include <string>

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

struct Observation {
  enum class State { kValue, kMissing, kUnreadable };
  State state = State::kMissing;
  Secret value;        // set when state == kValue
  std::string reason;  // set when state == kUnreadable: one line, what and where, no secrets
  ChangeMarker marker;
  std::int64_t changed_at_us = 0;  // when the side last changed (e.g. file mtime), 0 if unknown

  static Observation Value(Secret v, ChangeMarker m, std::int64_t changed_at_us = 0) {
    Observation o;
    o.state = State::kValue;
    o.value = std::move(v);
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
  static Observation Unreadable(std::string why) {
    Observation o;
    o.state = State::kUnreadable;
    o.reason = std::move(why);
    return o;
  }
};

class Side {
 public:
  virtual ~Side() = default;

  // What the side holds right now. Never throws; errors become kUnreadable with the reason.
  virtual Observation Observe() = 0;

  // Stores `value`, atomically, but only if the side still matches `expected` (the marker of the
  // observation the caller decided on). Returns FailedPrecondition when the side changed since,
  // and writes nothing in that case.
  virtual Status Write(const Secret& value, const ChangeMarker& expected) = 0;

  // Removes the value (token revoked), with the same compare-and-swap rule as Write. Removing an
  // absent value is ok.
  virtual Status Remove(const ChangeMarker& expected) = 0;

  // A cheap check, without writing anything, that Write/Remove could succeed now: e.g. the
  // directory exists and the target is a regular file or absent. Operations call it on every
  // side before recording an event, so a side that can never be written refuses the operation
  // instead of leaving the log ahead of it. Returns FailedPrecondition with the reason.
  virtual Status CheckWritable() = 0;

  // A short human description of where the side is, for messages: "json-file cli/paired.json#/token".
  virtual std::string Describe() const = 0;
};

}  // namespace seam
