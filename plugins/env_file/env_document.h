#pragma once
// An environment file as three programs read it, with where each value's bytes are, so a write
// replaces those bytes alone (comments, order, blank lines, quoting of the others: every other
// byte stays).
//
// Dialects (`dialect` of an env-file side; they differ, so the side is told which reads it):
//   dotenv   python-dotenv, Docker Compose's `.env`, most language libraries: `KEY=VALUE`, an
//            optional `export ` prefix, blank lines and `#` comment lines; whitespace around the
//            key and an unquoted value is trimmed, and an unquoted value ends at ` #` (a comment);
//            'single quotes' are literal; "double quotes" decode \n \r \t \" \\ (and keep any
//            other backslash as it is); a quoted value may span lines.
//   systemd  EnvironmentFile= of systemd units: `KEY=VALUE`, comment lines start with # or ;,
//            no `export`, no inline comments (a # is part of the value); whitespace around an
//            unquoted value is trimmed; 'single' quotes are literal, "double" quotes decode
//            \" \\ \$ \` (any other backslash stays); a line ending in a backslash outside
//            quotes is not supported (refused).
//   docker   `docker run --env-file`: `KEY=VALUE` taken literally, quotes included, leading
//            whitespace of the line dropped, nothing else; comment lines start with #; a line
//            that is a bare `KEY` (the value taken from docker's own environment) holds no value
//            here.
// Keys are [A-Za-z_][A-Za-z0-9_.-]* (dotenv, docker) or [A-Za-z_][A-Za-z0-9_]* (systemd).
//
// Parse errors name the line and column: "<file>:3:12: unterminated double quote".

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace seam {

enum class EnvDialect { kDotenv, kSystemd, kDocker };

// "dotenv", "systemd", "docker"; nullopt otherwise.
std::optional<EnvDialect> ParseEnvDialect(std::string_view name);

struct EnvEntry {
  std::string key;
  std::string value;              // decoded; "" for a bare docker `KEY`
  bool bare = false;              // docker: `KEY` without `=`, no value in the file
  std::size_t line = 0;           // 1-based, where the key is
  std::size_t line_begin = 0;     // byte offset of the entry's first line
  std::size_t line_end = 0;       // byte offset past its last line's newline (or the end)
  std::size_t value_begin = 0;    // byte offsets of the value's text as written, quotes included
  std::size_t value_end = 0;
  char quote = 0;                 // '\'', '"' or 0 (unquoted)
};

// Wipes the decoded values when destroyed: they may be secrets.
struct EnvDocument {
  EnvDocument() = default;
  EnvDocument(EnvDocument&&) = default;
  EnvDocument& operator=(EnvDocument&&) = default;
  EnvDocument(const EnvDocument&) = delete;
  EnvDocument& operator=(const EnvDocument&) = delete;
  ~EnvDocument();

  std::vector<EnvEntry> entries;  // in file order
  // The entries named `key` (more than one: defined twice).
  std::vector<const EnvEntry*> Find(std::string_view key) const;
};

// Parses `bytes` (the whole file) in `dialect`; `file` names it in errors.
Result<EnvDocument> ParseEnvDocument(std::string_view file, std::string_view bytes, EnvDialect dialect);

// `value` as the dialect reads it back, written in the style of `like` (its quote) where the
// value allows: plain when it needs no quotes, else single quotes, else double quotes with
// escapes. InvalidArgument, never naming the value, when the dialect cannot hold it (a newline
// in a docker or systemd file, a NUL, a dotenv value with both a single quote and a character
// that double quotes would change).
Result<std::string> EncodeEnvValue(std::string_view value, EnvDialect dialect, char like);

// Whether `key` is a key the dialect reads.
bool IsEnvKey(std::string_view key, EnvDialect dialect);

}  // namespace seam
