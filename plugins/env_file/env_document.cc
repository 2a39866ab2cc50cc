#include "plugins/env_file/env_document.h"

#include "plugins/common/wipe.h"

namespace seam {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Characters a value may hold with no quotes in any dialect: nothing a reader would trim,
// expand, end a value at, or take for a quote or an escape.
bool IsPlainSafe(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '_': case '-': case '.': case '/': case ':': case '@': case '+': case ',': case '=': case '%':
    case '^': case '~': case '!': case '?': case '*': case '[': case ']': case '{': case '}': case '(':
    case ')': case '&': case '|': case '<': case '>':
      return true;
    default:
      return false;
  }
}

class Parser {
 public:
  Parser(std::string_view file, std::string_view bytes, EnvDialect dialect)
      : file_(file), b_(bytes), dialect_(dialect) {}

  Result<EnvDocument> Run() {
    EnvDocument doc;
    while (pos_ < b_.size()) {
      const std::size_t line_begin = pos_;
      const std::size_t line = line_;
      SkipBlanks();
      if (AtEol()) {
        NextLine();
        continue;
      }
      if (b_[pos_] == '#' || (dialect_ == EnvDialect::kSystemd && b_[pos_] == ';')) {
        SkipToEol();
        NextLine();
        continue;
      }
      if (dialect_ == EnvDialect::kDotenv && b_.substr(pos_, 7) == "export " ) {
        pos_ += 7;
        SkipBlanks();
      } else if (dialect_ == EnvDialect::kDotenv && b_.substr(pos_, 7) == "export\t") {
        pos_ += 7;
        SkipBlanks();
      }
      EnvEntry e;
      e.line = line;
      e.line_begin = line_begin;
      const std::size_t key_begin = pos_;
      while (!AtEol() && b_[pos_] != '=' && !IsBlank(b_[pos_])) ++pos_;
      e.key = std::string(b_.substr(key_begin, pos_ - key_begin));
      if (!IsEnvKey(e.key, dialect_)) return Error(key_begin, "not a variable name (expected KEY=VALUE)");
      if (dialect_ != EnvDialect::kDocker) SkipBlanks();
      if (AtEol() && dialect_ != EnvDialect::kSystemd) {
        e.bare = true;
        e.value_begin = e.value_end = pos_;
        SkipToEol();
        NextLine();
        e.line_end = pos_;
        doc.entries.push_back(std::move(e));
        continue;
      }
      if (AtEol() || b_[pos_] != '=') return Error(pos_, "expected '=' after " + e.key);
      ++pos_;
      SEAM_RETURN_IF_ERROR(dialect_ == EnvDialect::kDocker ? Literal(e) : Value(e));
      NextLine();
      e.line_end = pos_;
      doc.entries.push_back(std::move(e));
    }
    return doc;
  }

 private:
  bool AtEol() const { return pos_ >= b_.size() || b_[pos_] == '\n' || (b_[pos_] == '\r' && Next() == '\n'); }
  char Next() const { return pos_ + 1 < b_.size() ? b_[pos_ + 1] : '\0'; }
  void SkipBlanks() {
    while (pos_ < b_.size() && IsBlank(b_[pos_])) ++pos_;
  }
  void SkipToEol() {
    while (!AtEol()) ++pos_;
  }
  // From the end of a line to the start of the next.
  void NextLine() {
    if (pos_ < b_.size() && b_[pos_] == '\r') ++pos_;
    if (pos_ < b_.size() && b_[pos_] == '\n') {
      ++pos_;
      ++line_;
      line_start_ = pos_;
    }
  }

  Status Error(std::size_t at, const std::string& what) const {
    // The line and column of `at` (a quoted value may have crossed lines since the entry began).
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < at && i < b_.size(); ++i) {
      if (b_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    return Status::InvalidArgument(std::string(file_) + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " +
                                   what);
  }

  // docker: the rest of the line as it is.
  Status Literal(EnvEntry& e) {
    e.value_begin = pos_;
    SkipToEol();
    e.value_end = pos_;
    e.value = std::string(b_.substr(e.value_begin, e.value_end - e.value_begin));
    return Status::Ok();
  }

  // dotenv and systemd: a quoted or an unquoted value, then only blanks (or a dotenv comment).
  Status Value(EnvEntry& e) {
    SkipBlanks();
    e.value_begin = pos_;
    if (pos_ < b_.size() && (b_[pos_] == '\'' || b_[pos_] == '"')) {
      const char q = b_[pos_];
      const std::size_t open = pos_++;
      e.quote = q;
      std::string v;
      while (true) {
        if (pos_ >= b_.size()) {
          WipeString(v);
          return Error(open, q == '"' ? "unterminated double quote" : "unterminated single quote");
        }
        const char c = b_[pos_];
        if (c == q) break;
        if (c == '\n') {
          ++line_;
          line_start_ = pos_ + 1;
        }
        if (q == '"' && c == '\\' && pos_ + 1 < b_.size()) {
          AppendWiping(v, Unescape(b_[pos_ + 1]));
          pos_ += 2;
          continue;
        }
        v.push_back(c);
        ++pos_;
      }
      ++pos_;  // the closing quote
      e.value_end = pos_;
      e.value = std::move(v);
      SkipBlanks();
      if (!AtEol() && !(dialect_ == EnvDialect::kDotenv && b_[pos_] == '#')) {
        return Error(pos_, "unexpected characters after the closing quote of " + e.key);
      }
      SkipToEol();
      return Status::Ok();
    }
    std::size_t end = pos_;
    while (!AtEol()) {
      // dotenv: ` #` starts a comment (a # right after the value's text is part of it).
      if (dialect_ == EnvDialect::kDotenv && b_[pos_] == '#' && pos_ > e.value_begin && IsBlank(b_[pos_ - 1])) break;
      if (!IsBlank(b_[pos_])) end = pos_ + 1;
      ++pos_;
    }
    if (dialect_ == EnvDialect::kSystemd && end > e.value_begin && b_[end - 1] == '\\') {
      return Error(end - 1, "a line continued by a backslash is not supported");
    }
    SkipToEol();
    e.value_end = end;
    e.value = std::string(b_.substr(e.value_begin, end - e.value_begin));
    return Status::Ok();
  }

  // What a backslash and `c` stand for inside double quotes; both kept when not an escape.
  std::string Unescape(char c) const {
    if (dialect_ == EnvDialect::kDotenv) {
      switch (c) {
        case 'n': return "\n";
        case 'r': return "\r";
        case 't': return "\t";
        case '"': return "\"";
        case '\\': return "\\";
        default: return std::string("\\") + c;
      }
    }
    if (c == '"' || c == '\\' || c == '$' || c == '`') return std::string(1, c);
    return std::string("\\") + c;
  }

  std::string_view file_;
  std::string_view b_;
  EnvDialect dialect_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t line_start_ = 0;
};

}  // namespace

EnvDocument::~EnvDocument() {
  for (EnvEntry& e : entries) WipeString(e.value);
}

std::vector<const EnvEntry*> EnvDocument::Find(std::string_view key) const {
  std::vector<const EnvEntry*> out;
  for (const EnvEntry& e : entries) {
    if (e.key == key) out.push_back(&e);
  }
  return out;
}

std::optional<EnvDialect> ParseEnvDialect(std::string_view name) {
  if (name == "dotenv") return EnvDialect::kDotenv;
  if (name == "systemd") return EnvDialect::kSystemd;
  if (name == "docker") return EnvDialect::kDocker;
  return std::nullopt;
}

bool IsEnvKey(std::string_view key, EnvDialect dialect) {
  if (key.empty() || key.size() > 256) return false;
  const char first = key.front();
  if (!((first >= 'A' && first <= 'Z') || (first >= 'a' && first <= 'z') || first == '_')) return false;
  for (char c : key) {
    const bool word = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!word && !(dialect != EnvDialect::kSystemd && (c == '.' || c == '-'))) return false;
  }
  return true;
}

Result<EnvDocument> ParseEnvDocument(std::string_view file, std::string_view bytes, EnvDialect dialect) {
  if (bytes.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(std::string(file) + ": holds a NUL byte; not an environment file");
  }
  return Parser(file, bytes, dialect).Run();
}

Result<std::string> EncodeEnvValue(std::string_view value, EnvDialect dialect, char like) {
  auto has = [&](std::string_view chars) { return value.find_first_of(chars) != std::string_view::npos; };
  if (value.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("the value holds a NUL byte, which no environment file can hold");
  }
  if (dialect == EnvDialect::kDocker) {
    if (has("\r\n")) return Status::InvalidArgument("the value holds a line break, which docker's --env-file cannot hold");
    return std::string(value);
  }
  if (dialect == EnvDialect::kSystemd && has("\r\n")) {
    return Status::InvalidArgument("the value holds a line break, which this seam does not write to a systemd "
                                   "EnvironmentFile");
  }
  bool plain_ok = !value.empty();
  for (char c : value) plain_ok = plain_ok && IsPlainSafe(c);
  // Single quotes are literal in both dialects; libraries differ on a backslash inside them.
  const bool single_ok = !has("'\\\r\n");
  // dotenv expands $ and ` in double quotes (interpolation); systemd's double quotes escape them.
  const bool double_ok = dialect == EnvDialect::kSystemd || !has("$`");
  auto single = [&] { return "'" + std::string(value) + "'"; };
  auto dbl = [&] {
    std::string out = "\"";
    for (char c : value) {
      if (c == '"' || c == '\\' || (dialect == EnvDialect::kSystemd && (c == '$' || c == '`'))) {
        out += '\\';
        out += c;
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '\r') {
        out += "\\r";
      } else {
        out += c;
      }
    }
    return out + "\"";
  };
  if (like == 0 && plain_ok) return std::string(value);
  if (like == '\'' && single_ok) return single();
  if (like == '"' && double_ok) return dbl();
  if (plain_ok) return std::string(value);
  if (single_ok) return single();
  if (double_ok) return dbl();
  return Status::InvalidArgument("the value holds a single quote or a backslash and also a $ or `, which no "
                                 "dotenv quoting keeps as it is");
}

}  // namespace seam
