#pragma once
// Bookkeeping events every kind shares: what happened to sides (an operation confirmed, a repair)
// and to the repair budget. They never change the intended state; the drift records
// (reconcilers/drift_events.h) are bookkeeping too.
//
// Each payload is a cereal struct with CEREAL_CLASS_VERSION and a versioned serialize(); a type
// name is never reused for another meaning. The bytes are documented in docs/log-format.md.

#include <cstdint>
#include <optional>
#include <string>

#include "core/event.h"
#include "core/status.h"
#include "reconcilers/drift_events.h"
#include "reconcilers/event_view.h"

namespace seam::bookkeeping {

inline constexpr char kSideRepaired[] = "SideRepaired";
inline constexpr char kSideApplied[] = "SideApplied";
inline constexpr char kSeamFlapping[] = "SeamFlapping";
inline constexpr char kFlappingCleared[] = "FlappingCleared";
inline constexpr char kHookIneffective[] = "HookIneffective";
inline constexpr char kRepairStarted[] = "RepairStarted";
inline constexpr char kLogStarted[] = "LogStarted";

// The stream of the log's own events (LogStarted): no seam's.
inline constexpr char kLogStream[] = "seam/log";

// A side brought back to the intended state by a repair.
struct SideRepaired {
  std::string side;
  std::int64_t version_written = 0;  // stream version whose value was written (or removed)
  std::string action;                // "write" | "remove"
  std::string verdict_before;        // "lagging" | "foreign" | "missing"
  std::int64_t held_version = 0;     // the version the side held before, 0 if none/foreign
  std::string fingerprint_before;    // keyed fingerprint of what the side held, "" if nothing
  // Since class version 2: what a `foreign` side held before it was overwritten, sealed (a JSON
  // object of its fields, SealContext(stream, this event's version)), so nothing is lost.
  std::string sealed_before;
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t version) {
    ar(side, version_written, action, verdict_before, held_version, fingerprint_before);
    if (version >= 2) ar(sealed_before);
  }
};

// The seam's repair budget for one side was spent (a writer keeps undoing the repairs):
// repairs stop until `seamctl repair --force`.
struct SeamFlapping {
  std::string side;
  std::int64_t repairs = 0;   // repairs of the side within the window
  std::int64_t window_s = 0;
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(side, repairs, window_s); }
};

// `seamctl repair --force`: repairs resume, the budget starts afresh.
struct FlappingCleared {
  std::string reason;
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(reason); }
};

// The first event of a log started over (`seamctl init --start-over`): the previous log was kept
// aside, as evidence (tampered) or because its secrets cannot be opened (the key lost), and this
// chain starts from what the sides hold. It names the previous log and where it stood.
struct LogStarted {
  std::string previous_log;        // where the previous log was moved ("" when there was none)
  std::int64_t previous_seq = 0;   // its last event's seq
  std::string previous_hash;       // that event's stored hash, hex ("" when empty)
  bool previous_intact = true;     // whether its chain verified
  std::int64_t first_bad_seq = 0;  // when it did not: the first bad seq
  std::string reason;              // as given: "key lost", "tampered", …
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) {
    ar(previous_log, previous_seq, previous_hash, previous_intact, first_bad_seq, reason);
  }
};

// An operation's intent confirmed on one side: written (or found already there) and read back.
// Kind-independent. An operation is pending while some side of its seam has no SideApplied (or
// SideRepaired) for the operation's version; the next operation or repair completes it.
struct SideApplied {
  std::string side;
  std::int64_t version = 0;  // the stream version of the operation's intent event
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(side, version); }
};

// An observe-only side's on_repair hook ran and exited 0, and after the side's settle time it
// still did not hold the intended version (a server reloaded onto a configuration that serves
// the leaf without its intermediates, or never reloads at all). Remembered per side: the hook is
// not run again for the same version while the side holds the same thing (`marker`), so a
// reload that does not help is not repeated every pass into `flapping`.
struct HookIneffective {
  std::string side;
  std::int64_t version = 0;  // the stream version the hook was to bring the side to
  std::string hook;          // the hook's program (argv[0]), for people
  std::string marker;        // keyed fingerprint of the side's change marker after the hook
  std::string detail;        // what the side still held, one line, no secret
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(side, version, hook, marker, detail); }
};

// A seam's owner (core/agent.h) is about to write a side: appended fenced by its lease's epoch
// before the write, so an owner paused or cut off past its lease, whose lease another agent took,
// is refused here and never writes. Only appends with an epoch carry one (many hosts).
struct RepairStarted {
  std::string side;
  std::int64_t version = 0;  // the stream version whose value is about to be written (or removed)
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(side, version); }
};

// Events that record what happened to sides or to the repair budget, not an operation's intent
// (SideApplied, SideRepaired, SeamFlapping, FlappingCleared, HookIneffective, RepairStarted, and
// the drift records).
inline bool IsBookkeepingEvent(const std::string& type) {
  return type == kSideApplied || type == kSideRepaired || type == kSeamFlapping || type == kFlappingCleared ||
         type == kHookIneffective || type == kRepairStarted || type == kLogStarted || drift::IsDriftEvent(type);
}

// cereal portable binary encoding of a payload.
std::string Encode(const SideRepaired& p);
std::string Encode(const SideApplied& p);
std::string Encode(const SeamFlapping& p);
std::string Encode(const FlappingCleared& p);
std::string Encode(const HookIneffective& p);
std::string Encode(const RepairStarted& p);
std::string Encode(const LogStarted& p);

// Decoding; a payload that does not parse is Corruption naming the type.
Result<SideRepaired> DecodeSideRepaired(const std::string& payload);
Result<SideApplied> DecodeSideApplied(const std::string& payload);
Result<SeamFlapping> DecodeSeamFlapping(const std::string& payload);
Result<FlappingCleared> DecodeFlappingCleared(const std::string& payload);
Result<HookIneffective> DecodeHookIneffective(const std::string& payload);
Result<RepairStarted> DecodeRepairStarted(const std::string& payload);
Result<LogStarted> DecodeLogStarted(const std::string& payload);

// What people see of one of these events (reconcilers/event_view.h): SideApplied {side,
// version}; SideRepaired {side, version_written, action, verdict_before, held_version,
// fingerprint_before, and foreign_value_kept when a foreign value was kept sealed};
// SeamFlapping {side, repairs, window_s}; FlappingCleared {reason}; HookIneffective {side,
// version, hook, detail}; RepairStarted {side, version}; LogStarted {previous_log, previous_seq,
// previous_hash, previous_intact, first_bad_seq, reason}. nullopt for another type.
std::optional<EventFields> Describe(const Event& event, const KeyRing& keys);

}  // namespace seam::bookkeeping
