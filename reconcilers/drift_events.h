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
//                 the spell ended at `at`. A side that flaps between the two stays one spell.
//
// A drift began within [last_in_sync_at, first_seen_at]; side_changed_at, when the side tells
// (a file's mtime, a restart marker's time), is the side's own word for it.

#include <cstdint>
#include <optional>
#include <string>

#include "core/event.h"
#include "core/status.h"
#include "reconcilers/event_view.h"

namespace seam::drift {

inline constexpr char kDriftOpened[] = "DriftOpened";
inline constexpr char kDriftClosed[] = "DriftClosed";
inline constexpr char kSideRestarted[] = "SideRestarted";
inline constexpr char kSideUnreadable[] = "SideUnreadable";
inline constexpr char kSideReadable[] = "SideReadable";

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

inline bool IsDriftEvent(const std::string& type) {
  return type == kDriftOpened || type == kDriftClosed || type == kSideRestarted || type == kSideUnreadable ||
         type == kSideReadable;
}

std::string Encode(const DriftOpened& p);
std::string Encode(const DriftClosed& p);
std::string Encode(const SideRestarted& p);
std::string Encode(const SideUnreadable& p);
std::string Encode(const SideReadable& p);

// A payload that does not parse is Corruption naming the type.
Result<DriftOpened> DecodeDriftOpened(const std::string& payload);
Result<DriftClosed> DecodeDriftClosed(const std::string& payload);
Result<SideRestarted> DecodeSideRestarted(const std::string& payload);
Result<SideUnreadable> DecodeSideUnreadable(const std::string& payload);
Result<SideReadable> DecodeSideReadable(const std::string& payload);

// What people see of a drift record (reconcilers/event_view.h), its fields in the payload's
// order with times as kTime: DriftOpened {seam, side, verdict, holds_version, fingerprint,
// detail, intended_version, last_in_sync_at, first_seen_at, side_changed_at}; DriftClosed {side,
// how, opened_version, cause, at}; SideRestarted {side, marker, previous_marker, started_at};
// SideUnreadable {seam, side, reason, since}; SideReadable {side, opened_version, at}.
// nullopt for another type.
std::optional<EventFields> Describe(const Event& event);

}  // namespace seam::drift
