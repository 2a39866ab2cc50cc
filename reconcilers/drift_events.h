#pragma once
// Drift records: the log's account of when a side stopped holding the intended state, and how
// that ended. Kind-independent bookkeeping (they never change the intent), appended by repair
// passes (seamd, `seamctl repair`); `seamctl check` only reads them.
//
//   DriftOpened   a side stopped holding the intended value (lagging, foreign, missing; an
//                 unreadable side is not recorded: what it holds is unknown);
//   DriftClosed   it came back (repaired, adopted, external), or its verdict changed
//                 (superseded: a new DriftOpened follows in the same append);
//   SideRestarted the component behind a side restarted (its restart marker changed);
//   SideUnreadable a side could not be read (the start of an unreadable spell: once, however
//                 long it lasts);
//   SideReadable  it has been read again, without a break, for the pass's hold (60 s in seamd):
//                 the spell ended at `at`. A side that flaps between the two stays one spell;
//   OperationPending a repair pass ended with an operation some sides have not confirmed (a side
//                 that could not be written); PendingEnded once none is pending (completed, or
//                 superseded by a newer intent);
//   SeamExpiring  a side holds a certificate within renew_before of its end; ExpiringEnded once
//                 none does (renewed). So every notification (tools/common/notification.h) is an
//                 event of the log.
//
// A drift began within [last_in_sync_at, first_seen_at]; side_changed_at, when the side tells
// (a file's mtime, a restart marker's time), is the side's own word for it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "reconcilers/event_view.h"

namespace seam::drift {

inline constexpr char kDriftOpened[] = "DriftOpened";
inline constexpr char kDriftClosed[] = "DriftClosed";
inline constexpr char kSideRestarted[] = "SideRestarted";
inline constexpr char kSideUnreadable[] = "SideUnreadable";
inline constexpr char kSideReadable[] = "SideReadable";
inline constexpr char kOperationPending[] = "OperationPending";
inline constexpr char kPendingEnded[] = "PendingEnded";
inline constexpr char kSeamExpiring[] = "SeamExpiring";
inline constexpr char kExpiringEnded[] = "ExpiringEnded";

struct DriftOpened {
  std::string seam;                     // the seam's name in the config that saw it
  std::string side;
  std::string verdict;                  // "lagging" | "foreign" | "missing"
  std::int64_t holds_version = 0;       // the stream version the side holds (lagging), else 0
  std::string fingerprint;              // keyed fingerprint of what it holds, "" if nothing
  std::string detail;                   // the verdict's one line (fields, reason), no secrets
  std::int64_t intended_version = 0;    // the intent it was judged against
  std::int64_t last_in_sync_at_us = 0;  // last time seen holding the intent; 0 unknown
  std::int64_t first_seen_at_us = 0;    // the observation that found it
  std::int64_t side_changed_at_us = 0;  // the side's own change time; 0 unknown
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) {
    ar(seam, side, verdict, holds_version, fingerprint, detail, intended_version, last_in_sync_at_us,
       first_seen_at_us, side_changed_at_us);
  }
};

struct DriftClosed {
  std::string side;
  std::string how;                  // "repaired" | "adopted" | "external" | "superseded"
  std::int64_t opened_version = 0;  // the stream version of the DriftOpened it closes
  std::string cause;                // what closed it: "SideRepaired by seamd:root@h", "" external
  std::int64_t at_us = 0;           // when the side was seen back (or superseded)
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(side, how, opened_version, cause, at_us); }
};

struct SideRestarted {
  std::string side;
  std::string marker;           // the side's restart marker now (a boot id, a start time)
  std::string previous_marker;  // "" the first time seam sees one
  std::int64_t started_at_us = 0;  // when the marker says the component started; 0 unknown
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(side, marker, previous_marker, started_at_us); }
};

struct SideUnreadable {
  std::string seam;              // the seam's name in the config that saw it
  std::string side;
  std::string reason;            // the side's error line (which file, which line), no secrets
  std::int64_t since_us = 0;     // the observation that found it unreadable
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(seam, side, reason, since_us); }
};

struct SideReadable {
  std::string side;
  std::int64_t opened_version = 0;  // the stream version of the SideUnreadable it ends
  std::int64_t at_us = 0;           // the first observation of the unbroken readable run
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(side, opened_version, at_us); }
};

struct OperationPending {
  std::string seam;
  std::string operation;           // the intent's event type
  std::int64_t version = 0;        // the intent's stream version
  std::vector<std::string> sides;  // not confirmed yet, in `order`
  std::int64_t since_us = 0;       // when the intent was recorded
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(seam, operation, version, sides, since_us); }
};

struct PendingEnded {
  std::int64_t version = 0;  // the OperationPending's intent version
  std::string how;           // "completed" | "superseded"
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(version, how); }
};

struct SeamExpiring {
  std::string seam;
  std::vector<std::string> sides;   // the sides whose certificate is within renew_before
  std::int64_t not_after = 0;       // the earliest of theirs (Unix seconds)
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(seam, sides, not_after); }
};

struct ExpiringEnded {
  std::int64_t not_after = 0;  // the earliest end the sides hold now (Unix seconds); 0 unknown
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t /*version*/) { ar(not_after); }
};

inline bool IsDriftEvent(const std::string& type) {
  return type == kDriftOpened || type == kDriftClosed || type == kSideRestarted || type == kSideUnreadable ||
         type == kSideReadable || type == kOperationPending || type == kPendingEnded || type == kSeamExpiring ||
         type == kExpiringEnded;
}

std::string Encode(const DriftOpened& p);
std::string Encode(const DriftClosed& p);
std::string Encode(const SideRestarted& p);
std::string Encode(const SideUnreadable& p);
std::string Encode(const SideReadable& p);
std::string Encode(const OperationPending& p);
std::string Encode(const PendingEnded& p);
std::string Encode(const SeamExpiring& p);
std::string Encode(const ExpiringEnded& p);

// A payload that does not parse is Corruption naming the type.
Result<DriftOpened> DecodeDriftOpened(const std::string& payload);
Result<DriftClosed> DecodeDriftClosed(const std::string& payload);
Result<SideRestarted> DecodeSideRestarted(const std::string& payload);
Result<SideUnreadable> DecodeSideUnreadable(const std::string& payload);
Result<SideReadable> DecodeSideReadable(const std::string& payload);
Result<OperationPending> DecodeOperationPending(const std::string& payload);
Result<PendingEnded> DecodePendingEnded(const std::string& payload);
Result<SeamExpiring> DecodeSeamExpiring(const std::string& payload);
Result<ExpiringEnded> DecodeExpiringEnded(const std::string& payload);

// What people see of a drift record (reconcilers/event_view.h), its fields in the payload's
// order with times as kTime: DriftOpened {seam, side, verdict, holds_version, fingerprint,
// detail, intended_version, last_in_sync_at, first_seen_at, side_changed_at}; DriftClosed {side,
// how, opened_version, cause, at}; SideRestarted {side, marker, previous_marker, started_at};
// SideUnreadable {seam, side, reason, since}; SideReadable {side, opened_version, at};
// OperationPending {seam, operation, version, sides, since}; PendingEnded {version, how};
// SeamExpiring {seam, sides, not_after}; ExpiringEnded {not_after}.
// nullopt for another type.
std::optional<EventFields> Describe(const Event& event);

}  // namespace seam::drift
