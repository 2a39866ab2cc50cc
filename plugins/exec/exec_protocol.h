#pragma once
// The exec side's protocol with its programs, without any process handling (see exec_side.h
// for the whole contract). Two forms, chosen by which of its kind's fields the side maps:
// - single (only the kind's primary field, the default), as before records existed:
//   `read` prints exactly one JSON object on stdout: {"value": "<string>"} or {"missing": true}
//   (`{"value": null}` also means missing, so that a program storing what `write` gave it and
//   printing it back is correct as it is). It may print the fields form too.
//   `write` / `remove` get {"value": "<string>"} or {"value": null} (remove) on stdin.
// - fields (any other set of fields):
//   `read` prints {"fields": {"device_id": "...", "token": "..."}} or {"missing": true}; a
//   member that is absent or null is a field the program does not hold (`{"fields": null}` and
//   `{"fields": {}}` are missing).
//   `write` gets {"fields": {...}} with the mapped fields present in the record (the others
//   are to be left as they are); `remove` gets every mapped field as null.
// Internal to plugins/exec.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/side.h"
#include "core/status.h"

namespace seam {

// The fields a side's programs exchange, and in which form.
struct ExecFields {
  std::vector<std::string> names = {"token"};  // in the kind's order; never empty
  bool single = true;  // names is just the kind's primary field: the {"value": ...} forms
};

// What `read` reported: the mapped fields it holds; empty for missing.
using ReadReply = Record;

// Parses `read`'s stdout. The error (InvalidArgument) is the reason alone, never quoting the
// output nor a key the side does not know: "printed nothing on stdout", "printed non-JSON at
// line 2 column 12", "printed an array, not a JSON object", "\"value\" is a number, not a
// string", "\"missing\" must be true", "printed \"value\" twice", "printed both \"value\" and
// \"missing\"", "printed an object with a key other than \"value\", \"fields\" and
// \"missing\"", "printed an object without \"value\", \"fields\" or \"missing\"", "\"fields\"
// is a string, not an object", "field \"token\" is a number, not a string", "printed field
// \"token\" twice", "\"fields\" has a member that is not one of this side's fields (device_id,
// token)", "printed \"value\", but this side maps the fields device_id, token". Every error
// names the expected shape at the end ("; expected {\"value\": \"...\"} or {\"missing\":
// true}", or the fields form naming the side's fields).
Result<ReadReply> ParseReadReply(std::string_view out, const ExecFields& fields = {});

// The line for `write`'s stdin: {"value":"..."}\n (single; the record must hold the field) or
// {"fields":{"device_id":"...","token":"..."}}\n with the mapped fields `record` holds.
// InvalidArgument when a value is not valid UTF-8 (a JSON string cannot carry it), naming the
// field in the fields form; or when the record holds none of the fields.
Result<std::string> EncodeWriteRequest(const Record& record, const ExecFields& fields = {});

// The line for `remove`'s stdin: {"value":null}\n, or every field null in the fields form.
std::string EncodeRemoveRequest(const ExecFields& fields = {});

}  // namespace seam
