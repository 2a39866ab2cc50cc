#include "tools/discover/value_shape.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace seam::discover {
namespace {

constexpr std::size_t kMinSecretBytes = 8;
constexpr std::size_t kMinRandomBytes = 20;
constexpr std::size_t kMaxValueBytes = 8192;
constexpr double kMinBitsPerChar = 3.5;

// The characters of base64, base64url, hex and most generated tokens.
constexpr std::array<bool, 256> TokenChars() {
  std::array<bool, 256> t{};
  for (std::size_t c = '0'; c <= '9'; ++c) t[c] = true;
  for (std::size_t c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (std::size_t c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("+/=_.~-")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr std::array<bool, 256> kTokenChar = TokenChars();

// The words of a key that name a secret. The pre-scan's hints (kHints below) must be prefixes
// of them all, else a file naming a secret only so would never be parsed: checked at compile time.
constexpr std::string_view kSecretWords[] = {
    "token",  "tokens",      "secret", "secrets", "password", "passwd", "pwd",     "pass",
    "passphrase", "key",     "apikey", "credential", "credentials", "auth", "bearer", "private",
    "cookie", "session",     "salt",   "signature", "dsn",   "sha256", "digest",  "hash"};

bool IsSecretWord(std::string_view w) {
  for (std::string_view k : kSecretWords)
    if (w == k) return true;
  return false;
}

// A key whose last word is one of these is about a secret, not the secret: `key_file`,
// `password_path`, `client_auth_type`, `token_ttl`, `smtp_auth_username`.
bool DescribesASecret(std::string_view last) {
  static constexpr std::string_view kWords[] = {
      "file", "files", "path", "dir", "directory", "filename", "type", "mode", "method", "name", "names",
      "username", "user", "url", "uri", "endpoint", "header", "ttl", "timeout", "expiry", "expires", "length",
      "size", "algorithm", "alg", "id", "env", "var", "command", "cmd", "format", "policy", "enabled"};
  for (std::string_view w : kWords)
    if (last == w) return true;
  return false;
}

bool IsHex(std::string_view v) {
  for (char c : v)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool LooksRandom(std::string_view v);

bool IsPlaceholder(std::string_view v) {
  std::string lower;
  for (char c : v) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static constexpr std::string_view kWords[] = {"changeme", "change-me", "change_me", "password", "secret",
                                                "unset",    "example",   "placeholder", "redacted", "todo",
                                                "xxxxxxxx", "true",      "false",       "null",     "none"};
  for (std::string_view w : kWords)
    if (lower == w) return true;
  if (v.find("${") != std::string_view::npos || v.find("{{") != std::string_view::npos) return true;
  // Subresource integrity (package-lock.json's "integrity"): a public hash of a public file.
  if (lower.starts_with("sha1-") || lower.starts_with("sha256-") || lower.starts_with("sha384-") ||
      lower.starts_with("sha512-"))
    return true;
  if (v.front() == '<' && v.back() == '>') return true;
  // A path names a file, it is not the value (but standard base64 may begin with '/').
  if ((v.front() == '/' || v.starts_with("./") || v.starts_with("~/")) && !LooksRandom(v)) return true;
  bool same = true, digits = true;
  for (char c : v) {
    same = same && c == v.front();
    digits = digits && (std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-');
  }
  return same || digits;
}

double BitsPerChar(std::string_view v) {
  std::array<int, 256> n{};
  for (char c : v) ++n[static_cast<unsigned char>(c)];
  double bits = 0;
  for (int k : n)
    if (k > 0) {
      const double p = static_cast<double>(k) / static_cast<double>(v.size());
      bits -= p * std::log2(p);
    }
  return bits;
}

bool LooksRandom(std::string_view v) {
  if (v.size() < kMinRandomBytes) return false;
  bool letter = false, digit = false;
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (!kTokenChar[u]) return false;
    letter = letter || std::isalpha(u);
    digit = digit || std::isdigit(u);
  }
  return letter && digit && BitsPerChar(v) >= kMinBitsPerChar;
}

bool LooksPlain(std::string_view v) {
  const std::size_t scheme = v.find("://");
  if (scheme != std::string_view::npos && scheme > 0 && scheme < 16) {
    for (std::size_t i = 0; i < scheme; ++i)
      if (!std::isalpha(static_cast<unsigned char>(v[i])) && v[i] != '+') return false;
    return v.size() > scheme + 3;
  }
  // A host name: labels of letters, digits and '-', at least one dot, a last label of letters.
  if (v.size() < 4 || v.size() > 253) return false;
  std::size_t dots = 0, last = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto u = static_cast<unsigned char>(v[i]);
    if (v[i] == '.') {
      if (i == 0 || i + 1 == v.size() || v[i - 1] == '.') return false;
      ++dots;
      last = i + 1;
    } else if (!std::isalnum(u) && v[i] != '-') {
      return false;
    }
  }
  if (dots == 0) return false;
  for (std::size_t i = last; i < v.size(); ++i)
    if (!std::isalpha(static_cast<unsigned char>(v[i]))) return false;
  return v.size() - last >= 2;
}

}  // namespace

bool KeyNamesSecret(std::string_view key) {
  std::string word, last;
  bool secret = false;
  char prev = 0;
  auto done = [&] {
    if (word.empty()) return;
    secret = secret || IsSecretWord(word);
    last = std::move(word);
    word.clear();
  };
  for (char c : key) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u)) {
      done();
    } else {
      if (std::isupper(u) && prev && std::islower(static_cast<unsigned char>(prev))) done();
      word += static_cast<char>(std::tolower(u));
    }
    prev = c;
  }
  done();
  return secret && !DescribesASecret(last);
}

std::optional<Why> Judge(std::string_view key, std::string_view value, bool include_plain) {
  if (value.empty() || value.size() > kMaxValueBytes) return std::nullopt;
  for (char c : value)
    if (c == '\n' || c == '\r' || c == '\0') return std::nullopt;
  if (value.size() == 64 && IsHex(value)) return Why::kDigest;
  if (value.size() >= kMinSecretBytes && KeyNamesSecret(key) && !IsPlaceholder(value)) return Why::kKeyName;
  if (LooksRandom(value) && !IsPlaceholder(value)) return Why::kEntropy;
  if (include_plain && LooksPlain(value)) return Why::kPlain;
  return std::nullopt;
}

std::string AlphabetOf(std::string_view value) {
  bool hex = true, alnum = true, b64url = true, printable = true;
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    hex = hex && (std::isdigit(u) || (c >= 'a' && c <= 'f'));
    alnum = alnum && std::isalnum(u);
    b64url = b64url && (std::isalnum(u) || c == '-' || c == '_');
    printable = printable && u >= 0x21 && u <= 0x7e;
  }
  if (hex) return "hex";
  if (alnum) return "alnum";
  if (b64url) return "base64url";
  if (printable) return "ascii-printable";
  return "";
}

namespace {

// A byte that may be part of a value written after a key: not a space, a quote or punctuation
// that separates keys from values.
constexpr std::array<bool, 256> ValueChars() {
  std::array<bool, 256> t{};
  for (std::size_t c = 0x21; c < 0x7f; ++c) t[c] = true;
  for (std::size_t c = 0x80; c < 0x100; ++c) t[c] = true;
  for (char c : std::string_view("\"',:={}[]")) t[static_cast<unsigned char>(c)] = false;
  return t;
}
constexpr std::array<bool, 256> kValueChar = ValueChars();

constexpr std::array<char, 256> LowerTable() {
  std::array<char, 256> t{};
  for (std::size_t c = 0; c < 256; ++c) t[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return t;
}
constexpr std::array<char, 256> kLower = LowerTable();

// The secret-naming words, lower-case, as the pre-scan looks for them at the start of each word
// of a key (prefixes of the words KeyNamesSecret takes), by their first letter.
constexpr std::string_view kHints[] = {"token", "secret", "pass", "pwd", "key", "apikey", "auth", "cred", "private",
                                       "cookie", "session", "salt", "signature", "bearer", "dsn", "sha256",
                                       "digest", "hash"};

constexpr bool EverySecretWordHasAHint() {
  for (std::string_view w : kSecretWords) {
    bool hinted = false;
    for (std::string_view h : kHints) hinted = hinted || w.starts_with(h);
    if (!hinted) return false;
  }
  return true;
}
static_assert(EverySecretWordHasAHint(), "a word in kSecretWords that no pre-scan hint begins");

constexpr std::array<std::array<std::string_view, 5>, 26> HintsByLetter() {
  std::array<std::array<std::string_view, 5>, 26> t{};
  for (std::string_view h : kHints) {
    auto& list = t[static_cast<std::size_t>(h.front() - 'a')];
    for (std::string_view& slot : list)
      if (slot.empty()) {
        slot = h;
        break;
      }
  }
  return t;
}
constexpr std::array<std::array<std::string_view, 5>, 26> kHintsByLetter = HintsByLetter();

// Whether a hint word starts at `i` of `line` (ASCII case-insensitive).
bool HintAt(std::string_view line, std::size_t i) {
  const char first = kLower[static_cast<unsigned char>(line[i])];
  if (first < 'a' || first > 'z') return false;
  for (std::string_view h : kHintsByLetter[static_cast<std::size_t>(first - 'a')]) {
    if (h.empty()) return false;
    if (line.size() - i < h.size()) continue;
    std::size_t k = 1;
    while (k < h.size() && kLower[static_cast<unsigned char>(line[i + k])] == h[k]) ++k;
    if (k == h.size()) return true;
  }
  return false;
}

bool IsKeyChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '_' || c == '-' || c == '.';
}

// The name written before `begin` on the line (`api_key` of `"api_key": "…"`, `API_TOKEN` of
// `API_TOKEN=…`, `password` of `  password: …`), "" when none.
std::string_view KeyBefore(std::string_view line, std::size_t begin) {
  std::size_t end = begin;
  while (end > 0 && std::string_view(" \t\"':=").find(line[end - 1]) != std::string_view::npos) --end;
  std::size_t start = end;
  while (start > 0 && IsKeyChar(line[start - 1])) --start;
  return line.substr(start, end - start);
}

// What LooksRandom asks of a word's characters, cheaply: 20 or more, letters and digits.
bool MayBeRandom(std::string_view t) {
  if (t.size() < kMinRandomBytes) return false;
  bool letter = false, digit = false;
  for (char c : t) {
    letter = letter || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    digit = digit || (c >= '0' && c <= '9');
  }
  return letter && digit;
}

// A run of 20 token characters ending at `end` of the text `line` starts: a token, or for
// `KEY=value` in one run (base64 has '=' only at its end), the value.
void EmitRun(std::string_view line, std::size_t begin, std::size_t end, Lexed& out) {
  const std::string_view t = line.substr(begin, end - begin);
  const std::size_t eq = t.find('=');
  if (eq != std::string_view::npos && eq + 1 < t.size() && t[eq + 1] != '=') {
    if (MayBeRandom(t.substr(eq + 1))) out.tokens.push_back({t.substr(eq + 1), 0, t.substr(0, eq)});
  } else if (MayBeRandom(t)) {
    out.tokens.push_back({t, 0, KeyBefore(line, begin)});
  }
}

// A separator at `sep` of `line` after a key naming a secret: its value, one word, then nothing
// but closing quotes and the end of the line, a comment or what ends a member (`,` `}` `]`).
// Several words are prose, or a value no word of which tells it.
void EmitValue(std::string_view line, std::size_t sep, Lexed& out) {
  // Other characters (`p@ss!w0rd`, an escape, a quote inside the value) may be written
  // differently in each file format, and split the value into words: only a parse tells it.
  std::size_t written = 0;
  bool other = false;
  for (std::size_t k = sep + 1; k < line.size(); ++k) {
    const auto u = static_cast<unsigned char>(line[k]);
    if (u == '#' && (line[k - 1] == ' ' || line[k - 1] == '\t')) break;  // a comment
    if (u == ' ' || u == '\t' || u == '"' || u == '\'' || u == '\r') continue;
    ++written;
    other = other || (kValueChar[u] && !kTokenChar[u]);
  }
  if (other && written >= kMinSecretBytes) out.uncertain = true;
  std::size_t j = sep;
  while (j < line.size() && std::string_view(" \t\"':=").find(line[j]) != std::string_view::npos) ++j;
  const std::size_t begin = j;
  while (j < line.size() && kValueChar[static_cast<unsigned char>(line[j])]) ++j;
  while (j < line.size() && line[j] == '=') ++j;  // base64 padding
  const std::size_t end = j;
  while (j < line.size() && std::string_view(" \t\"';\r").find(line[j]) != std::string_view::npos) ++j;
  const bool alone = j == line.size() || line[j] == '#' || line[j] == '}' || line[j] == ']' || line[j] == ',';
  if (alone && end - begin >= kMinSecretBytes) out.tokens.push_back({line.substr(begin, end - begin), 0, KeyBefore(line, begin)});
}

// The start of the line holding `pos`.
std::size_t LineStart(std::string_view bytes, std::size_t pos) {
  const void* nl = pos ? ::memrchr(bytes.data(), '\n', pos) : nullptr;
  return nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - bytes.data()) + 1 : 0;
}

std::string_view LineAt(std::string_view bytes, std::size_t start) {
  const std::size_t end = bytes.find('\n', start);
  return bytes.substr(start, (end == std::string_view::npos ? bytes.size() : end) - start);
}

// Runs of 20 token characters, found by looking at one byte in 20 where there is none: a run
// of 20 that holds position p cannot exist when p is not a token character.
void FindRuns(std::string_view bytes, Lexed& out) {
  const std::size_t n = bytes.size(), len = kMinRandomBytes;
  auto tok = [&bytes](std::size_t k) { return kTokenChar[static_cast<unsigned char>(bytes[k])]; };
  for (std::size_t i = 0; i + len <= n;) {
    // Invariant: i == 0 or bytes[i - 1] is not a token character.
    const std::size_t p = i + len - 1;
    if (!tok(p)) {
      i = p + 1;
      continue;
    }
    std::size_t q = p;
    while (q > i && tok(q - 1)) --q;
    if (q > i) {
      i = q;  // a run starts at q; is it 20 long?
      continue;
    }
    std::size_t e = p + 1;
    while (e < n && tok(e)) ++e;
    const std::size_t start = LineStart(bytes, i);
    EmitRun(LineAt(bytes, start), i - start, e - start, out);
    i = e + 1;
  }
}

constexpr std::array<bool, 256> KeyStops() {
  std::array<bool, 256> t{};
  for (char c : std::string_view("\n{[,:=")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr std::array<bool, 256> kKeyStop = KeyStops();

// Each ':' and '=' (memchr finds them) after a key naming a secret: the key is what stands
// before it since the line's start, a `{ [ ,` or another separator.
void FindValues(std::string_view bytes, char separator, Lexed& out) {
  constexpr std::size_t kMaxKey = 256;
  const char* data = bytes.data();
  for (std::size_t from = 0; from < bytes.size();) {
    const void* hit = std::memchr(data + from, separator, bytes.size() - from);
    if (!hit) break;
    const std::size_t sep = static_cast<std::size_t>(static_cast<const char*>(hit) - data);
    from = sep + 1;
    std::size_t k = sep;
    while (k > 0 && sep - k < kMaxKey && !kKeyStop[static_cast<unsigned char>(data[k - 1])]) --k;
    const std::string_view key = bytes.substr(k, sep - k);
    // At the start of each word of the key, as KeyNamesSecret splits it (`whiskey` names no key).
    bool named = false;
    for (std::size_t h = 0; h < key.size() && !named; ++h) {
      const char c = key[h];
      const char before = h ? key[h - 1] : ' ';
      const bool lower_before = before >= 'a' && before <= 'z';
      const bool alnum_before = lower_before || (before >= 'A' && before <= 'Z') || (before >= '0' && before <= '9');
      const bool starts = !alnum_before || (lower_before && c >= 'A' && c <= 'Z');
      named = starts && HintAt(key, h);
    }
    if (!named) continue;
    const std::size_t start = LineStart(bytes, sep);
    EmitValue(LineAt(bytes, start), sep - start, out);
  }
}

}  // namespace

// Sub-linear where nothing is: runs by skipping (FindRuns), separators by memchr (FindValues);
// a secret-naming word is looked for only in keys. Tokens carry their line's start offset until
// the end, where they are put in file order and numbered by line.
Lexed Lex(std::string_view bytes) {
  Lexed out;
  out.pem = bytes.find("-----BEGIN ") != std::string_view::npos;
  FindRuns(bytes, out);
  FindValues(bytes, ':', out);
  FindValues(bytes, '=', out);
  std::stable_sort(out.tokens.begin(), out.tokens.end(),
                   [](const LexToken& a, const LexToken& b) { return a.text.data() < b.text.data(); });
  std::size_t line = 1;
  const char* counted = bytes.data();
  for (LexToken& t : out.tokens) {
    line += static_cast<std::size_t>(std::count(counted, t.text.data(), '\n'));
    counted = t.text.data();
    t.line = line;
  }
  return out;
}

}  // namespace seam::discover
