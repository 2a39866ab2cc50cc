#pragma once
// The exec side's protocol with its programs, without any process handling (see exec_side.h
// for the whole contract):
//   `read` prints exactly one JSON object on stdout: {"value": "<string>"} or {"missing": true}
//   (`{"value": null}` also means missing, so that a program storing what `write` gave it and
//   printing it back is correct as it is).
//   `write` / `remove` get {"value": "<string>"} or {"value": null} (remove) on stdin.
// Internal to plugins/exec.

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/secret.h"
#include "core/status.h"

namespace seam {

// What `read` reported: a value, or nullopt for missing.
using ReadReply = std::optional<Secret>;

// Parses `read`'s stdout. The error (InvalidArgument) is the reason alone, never quoting the
// output: "printed nothing on stdout", "printed non-JSON at line 2 column 12", "printed an
// array, not a JSON object", "\"value\" is a number, not a string", "\"missing\" must be
// true", "printed \"value\" twice", "printed both \"value\" and \"missing\"", "printed an
// object with a key other than \"value\" and \"missing\"", "printed an object without \"value\"
// or \"missing\"". Every error names the expected shape at the end.
Result<ReadReply> ParseReadReply(std::string_view out);

// The line for `write`'s stdin: {"value":"..."}\n, or {"value":null}\n when `value` is null.
// InvalidArgument when the value is not valid UTF-8 (a JSON string cannot carry it).
Result<std::string> EncodeWriteRequest(const Secret* value);

// The first line of `err` for a message: at most 200 characters (then "..."), control
// characters and invalid UTF-8 replaced by '?', trailing whitespace dropped; "" when there is
// none. When the line contains any non-empty one of `secrets` (as given or JSON-escaped), the
// line is replaced by "(stderr withheld: it contains the value)". Otherwise, when
// `withhold_token_like` and the line (before shortening) LooksTokenLike, it is replaced by
// "(stderr withheld: it may contain a secret)".
std::string StderrFirstLine(std::string_view err, std::initializer_list<std::string_view> secrets,
                            bool withhold_token_like = false);

// Whether `line` holds a run of at least 16 characters from [A-Za-z0-9+/=_-]: what a token,
// key or password (base64, hex, base64url) looks like. Paths of 16 such characters and more
// without a break ("/usr/local/bin/x") count too: better a withheld line than a leaked secret.
bool LooksTokenLike(std::string_view line);

}  // namespace seam
