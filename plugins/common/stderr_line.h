#pragma once
// What a program's stderr may show in a one-line message (exec, exec-probe): its most telling
// line, never a value seam knows nor anything that looks like a secret.

#include <string>
#include <string_view>
#include <vector>

namespace seam {

// The most telling line of `err` for a message: the first non-empty one, or the last non-empty
// one when the first is a Python traceback's header ("Traceback (most recent call last):"); at
// most 200 characters (then "..."), control
// characters and invalid UTF-8 replaced by '?', trailing whitespace dropped; "" when there is
// none. When the line contains any non-empty one of `secrets` (as given or JSON-escaped), the
// line is replaced by "(stderr withheld: it contains the value)". Otherwise, when
// `withhold_token_like` and the line (before shortening) LooksTokenLike, it is replaced by
// "(stderr withheld: it may contain a secret)".
std::string StderrTellingLine(std::string_view err, const std::vector<std::string_view>& secrets,
                            bool withhold_token_like = false);

// Whether `line` holds a run of at least 16 characters from [A-Za-z0-9+/=_-]: what a token,
// key or password (base64, hex, base64url) looks like. Paths of 16 such characters and more
// without a break ("/usr/local/bin/x") count too: better a withheld line than a leaked secret.
bool LooksTokenLike(std::string_view line);

}  // namespace seam
