#pragma once
// What one stored event says, as typed fields for people and tools: `seamctl log` and the audit
// timeline render them (tools/common/event_details.h). Each kind describes its own events
// (KindSpec::describe); the bookkeeping every kind shares and the drift records are described
// next to their payloads. Secrets appear only as keyed fingerprints; a payload that does not
// decode or unseal gives an "error" field rather than being hidden.
//
// Kept free of JSON and crypto headers: kind.h includes it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/status.h"

namespace seam {

class KeyRing;

// One named value of an event's payload.
struct ShownField {
  enum class Type {
    kText,  // `text`
    kInt,   // `number`
    kBool,  // `flag`
    kTime,  // `number`: UTC microseconds; 0 is unknown (shown as null)
  };
  std::string name;
  Type type = Type::kText;
  std::string text;
  std::int64_t number = 0;
  bool flag = false;

  static ShownField Text(std::string name, std::string text);
  static ShownField Int(std::string name, std::int64_t number);
  static ShownField Bool(std::string name, bool flag);
  static ShownField Time(std::string name, std::int64_t micros);

  friend bool operator==(const ShownField&, const ShownField&) = default;
};

// An event's fields in the order people see them (the JSON key order), e.g. TokenRotated
// {fingerprint: "fp:…"}, SideApplied {side, version}. A type nobody knows: {payload_bytes: N}.
using EventFields = std::vector<ShownField>;

// The field of `fields` named `name`; nullptr when there is none.
const ShownField* FindShownField(const EventFields& fields, const std::string& name);
// Its text (kText), or its number (kInt, kTime), or its flag (kBool); "", 0 or false when the
// field is absent or of another type.
std::string ShownText(const EventFields& fields, const std::string& name);
std::int64_t ShownNumber(const EventFields& fields, const std::string& name);
bool ShownFlag(const EventFields& fields, const std::string& name);

// The fields of `event`: the bookkeeping and drift records by type, a kind's own events by the
// kind named in the event's stream ("<kind>/<entity>").
EventFields DescribeEventFields(const Event& event, const KeyRing& keys);

// For the describers.

// What a payload that does not decode shows: {error: status's message} and nothing else.
EventFields DecodeErrorFields(const Status& status);

// Why `sealed` (sealed at the event's stream and version) does not open under `keys`;
// nullopt when it opens.
std::optional<std::string> SealError(const std::string& sealed, const Event& event, const KeyRing& keys);

// Appends {fingerprint: keyed fingerprint of the sealed value}, or {error: why it does not open}.
void AddSealedFingerprint(EventFields& fields, const std::string& sealed, const Event& event,
                          const KeyRing& keys);

}  // namespace seam
