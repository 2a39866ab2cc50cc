#pragma once
// Parsing and wiping of the JSON documents the json-file side reads: the strict parse (no NUL
// bytes, bounded nesting, no duplicate keys) and the best-effort wipe of the parsed tree.
// Internal to plugins/json_file.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/status.h"
#include "plugins/common/json_pointer.h"  // Json, Described

namespace seam {

// Far deeper than any real config file, far shallower than what overflows a thread's stack.
inline constexpr std::size_t kJsonMaxDepth = 512;

// Parses `text` read from `path`. FailedPrecondition, one line naming the path and never the
// content (the parser's own message quotes the text around the error, which may be the
// secret), for: empty input, a NUL byte, nesting deeper than kJsonMaxDepth, invalid JSON
// ("<path>: invalid JSON at line L, column C") and a key repeated in one object
// ("<path>: duplicate key \"token\" at line L, column C", the second occurrence): nlohmann
// would keep one silently and a write would drop the other, so such a file is refused.
// Keys are shown, values never.
Result<Json> ParseJsonDocument(const std::filesystem::path& path, std::string_view text);

// Overwrites every string value in the tree (OPENSSL_cleanse) and empties it; object keys are
// left alone (they are names, not secrets). Best effort: nlohmann's lexer keeps the last token
// it read in its own buffer, strings short enough for the small-string buffer are copied when
// an object's storage grows, and a failed parse frees its partial tree; none of those copies
// can be reached from here, so they are freed unwiped.
void WipeJson(Json& j) noexcept;

// Wipes `j` when the scope ends, on every return path.
class JsonWipeGuard {
 public:
  explicit JsonWipeGuard(Json& j) : j_(j) {}
  ~JsonWipeGuard() { WipeJson(j_); }
  JsonWipeGuard(const JsonWipeGuard&) = delete;
  JsonWipeGuard& operator=(const JsonWipeGuard&) = delete;

 private:
  Json& j_;
};

}  // namespace seam
