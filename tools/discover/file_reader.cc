#include "tools/discover/file_reader.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "plugins/common/errno_text.h"
#include "plugins/common/wipe.h"
#include "tools/discover/pem_extract.h"
#include "tools/discover/sqlite_extract.h"

namespace seam::discover {
namespace {

constexpr std::string_view kSqliteHeader{"SQLite format 3\0", 16};
constexpr std::size_t kBinaryProbeBytes = 8192;

bool EndsWith(std::string_view s, std::string_view tail) { return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail; }

// The format a file's name promises, if any.
std::optional<Format> FormatByName(std::string_view path) {
  const std::string_view name = path.substr(path.rfind('/') + 1);
  if (EndsWith(name, ".json")) return Format::kJson;
  if (EndsWith(name, ".yaml") || EndsWith(name, ".yml")) return Format::kYaml;
  if (EndsWith(name, ".toml")) return Format::kToml;
  if (name == ".env" || name.starts_with(".env.") || EndsWith(name, ".env")) return Format::kEnv;
  if (EndsWith(name, ".pem") || EndsWith(name, ".crt") || EndsWith(name, ".key") || EndsWith(name, ".cer"))
    return Format::kPem;
  if (EndsWith(name, ".db") || EndsWith(name, ".sqlite") || EndsWith(name, ".sqlite3")) return Format::kSqlite;
  return std::nullopt;
}

// What the first bytes say, for a name that says nothing.
std::optional<Format> FormatByContent(std::string_view bytes) {
  if (bytes.find("-----BEGIN ") != std::string_view::npos) return Format::kPem;
  const std::size_t first = bytes.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (bytes[first] == '{' || bytes[first] == '[')) return Format::kJson;
  return std::nullopt;
}

}  // namespace

void FileReader::Read(const WalkedFile& f, std::size_t index, const Deferred* before) {
  const int fd = ::open(f.path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return Warn(f, ErrnoText(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_dev != f.dev || st.st_ino != f.ino ||
      (before && (st.st_size != before->size || st.st_mtim.tv_sec != before->mtime.tv_sec ||
                  st.st_mtim.tv_nsec != before->mtime.tv_nsec))) {
    ::close(fd);
    return Warn(f, "changed while discover ran");
  }
  const std::optional<Format> named = FormatByName(f.path);
  if (static_cast<std::size_t>(st.st_size) > kMaxTextFileBytes) {
    // Too large for a text file; a database is opened by SQLite, which reads what it needs.
    char head[16] = {0};
    const bool sqlite = ::pread(fd, head, sizeof head, 0) == 16 && std::string_view(head, 16) == kSqliteHeader;
    ::close(fd);
    if (sqlite) return Database(f, static_cast<std::size_t>(st.st_size));
    ++share_.stats.too_large;
    return;
  }
  // One buffer per reader, grown to the largest file read and wiped after each.
  const std::size_t size = static_cast<std::size_t>(st.st_size);
  if (buffer_.size() < size) buffer_.resize(size);
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = ::pread(fd, buffer_.data() + got, size - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Warn(f, ErrnoText(err));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  const std::string_view bytes(buffer_.data(), got);
  if (bytes.starts_with(kSqliteHeader)) return Database(f, got);
  if (!before) share_.stats.bytes_read += got;
  Text(f, named, bytes, before ? nullptr : &st, index);
  OPENSSL_cleanse(buffer_.data(), got);
}

FileReader::~FileReader() { WipeString(buffer_); }


void FileReader::Warn(const WalkedFile& f, std::string error) {
  ++share_.stats.unreadable;
  share_.warnings.push_back({f.path, std::move(error)});
}

void FileReader::Text(const WalkedFile& f, std::optional<Format> named, std::string_view bytes, const struct stat* st,
          std::size_t index) {
  if (std::memchr(bytes.data(), '\0', std::min(bytes.size(), kBinaryProbeBytes)) != nullptr) {
    ++share_.stats.binary;
    return;
  }
  if (st && !options_.include_plain) {
    const Lexed lexed = Lex(bytes);
    if (lexed.tokens.empty() && !lexed.pem) {
      ++share_.stats.not_worth;
      return;
    }
    if (lexed.tokens.size() > kMaxWordsPerFile) {
      ++share_.stats.too_many_words;
      return;
    }
    // Parsed at once: PEM (certificates group by what they are, not by words) and values
    // whose words may be written differently elsewhere. The rest waits for the words of every
    // other file: a file whose words are nowhere else holds no seam, and is never parsed.
    if (!lexed.pem && !lexed.uncertain) return Defer(index, *st, lexed);
  }
  std::optional<Format> format = named ? named : FormatByContent(bytes);
  if (format == Format::kSqlite) format = FormatByContent(bytes);  // a .db that is no database
  Status parsed = Status::Ok();
  int yaml_documents = 0;
  auto spot = [&](const Spot& s) { Value(f, *format, s, yaml_documents); };
  if (!format) {
    // Unnamed text: an environment file if it reads as one, else nothing discover reads. Read
    // once: the places it gave are taken back when it does not read as one.
    format = Format::kEnv;
    const std::size_t first = share_.places.size();
    if (!VisitEnv(f.path, bytes, spot).ok()) {
      share_.places.erase(share_.places.begin() + static_cast<std::ptrdiff_t>(first), share_.places.end());
      ++share_.stats.unknown_format;
      return;
    }
    ++share_.stats.parsed[FormatName(*format)];
    return;
  }
  switch (*format) {
    case Format::kJson: parsed = VisitJson(f.path, bytes, spot); break;
    case Format::kToml: parsed = VisitToml(f.path, bytes, spot); break;
    case Format::kEnv: parsed = VisitEnv(f.path, bytes, spot); break;
    case Format::kYaml: {
      // The count of documents is known once the file is parsed; patched into its places.
      const std::size_t first = share_.places.size();
      Result<int> docs = VisitYaml(f.path, bytes, spot);
      if (docs.ok())
        for (std::size_t i = first; i < share_.places.size(); ++i) share_.places[i].yaml_documents = *docs;
      parsed = docs.status();
      break;
    }
    case Format::kPem: Pem(f, bytes); break;
    case Format::kSqlite:
    case Format::kTls: break;
  }
  const char* name = FormatName(*format);
  if (parsed.ok()) {
    ++share_.stats.parsed[name];
  } else {
    ++share_.stats.parse_errors[name];
  }
}

void FileReader::Defer(std::size_t index, const struct stat& st, const Lexed& lexed) {
  Deferred d;
  d.file = index;
  d.size = st.st_size;
  d.mtime = st.st_mtim;
  std::set<std::pair<std::size_t, std::string_view>> once;
  for (const LexToken& t : lexed.tokens) {
    d.keys.emplace(t.key);
    if (!once.emplace(t.line, t.text).second) continue;
    d.words.emplace_back(keys_.FingerprintMac(t.text), keys_.FingerprintMac(Sha256Hex(t.text)));
  }
  share_.deferred.push_back(std::move(d));
}

Place FileReader::NewPlace(const WalkedFile& f, Format format) const {
  Place p;
  p.file = f.path;
  p.via_link = f.via_link;
  p.format = format;
  return p;
}

void FileReader::Value(const WalkedFile& f, Format format, const Spot& s, int yaml_documents) {
  const std::optional<Why> why = Judge(s.key_name, s.value, options_.include_plain);
  if (!why) return;
  Place p = NewPlace(f, format);
  p.locator = s.locator;
  p.key_name = std::string(s.key_name);
  p.yaml_document = s.yaml_document;
  p.yaml_documents = yaml_documents;
  Fill(p, *why, s.value);
  share_.places.push_back(std::move(p));
}

void FileReader::Fill(Place& p, Why why, std::string_view value) const {
  p.why = why;
  p.length = value.size();
  p.alphabet = AlphabetOf(value);
  p.mac = keys_.FingerprintMac(value);
  p.link_mac = keys_.FingerprintMac(Sha256Hex(value));
}

void FileReader::Pem(const WalkedFile& f, std::string_view bytes) {
  for (PemItem& item : ReadPem(bytes)) {
    Place p = NewPlace(f, Format::kPem);
    if (item.certificate) {
      p.why = Why::kCertificate;
      p.locator = "certificate";
      p.mac = keys_.FingerprintMac("certificate\n" + item.der);
      p.link_mac = keys_.FingerprintMac("public key\n" + item.public_key);
      p.detail = item.detail;
      p.ca = item.ca;
      p.chain_length = item.chain_length;
    } else {
      p.why = Why::kPrivateKey;
      p.locator = "private key";
      p.mac = keys_.FingerprintMac("public key\n" + item.public_key);
    }
    share_.places.push_back(std::move(p));
  }
}

void FileReader::Database(const WalkedFile& f, std::size_t size) {
  if (size > kMaxDatabaseBytes) {
    ++share_.stats.too_large;
    return;
  }
  bool truncated = false;
  const Status s = VisitSqlite(
      f.path,
      [&](const SqliteCell& cell, const std::string& locator, std::string_view value) {
        const std::optional<Why> why = Judge(cell.column, value, options_.include_plain);
        if (!why) return;
        Place p = NewPlace(f, Format::kSqlite);
        p.locator = locator;
        p.key_name = cell.column;
        p.cell = cell;
        Fill(p, *why, value);
        share_.places.push_back(std::move(p));
      },
      &truncated);
  if (!s.ok()) {
    ++share_.stats.parse_errors["sqlite"];
    return Warn(f, s.message());
  }
  ++share_.stats.parsed["sqlite"];
  share_.stats.bytes_read += size;
  if (truncated) ++share_.stats.truncated_databases;
}

void Merge(DiscoverStats& into, const DiscoverStats& s) {
  into.bytes_read += s.bytes_read;
  into.binary += s.binary;
  into.too_large += s.too_large;
  into.not_worth += s.not_worth;
  into.too_many_words += s.too_many_words;
  into.unknown_format += s.unknown_format;
  into.unreadable += s.unreadable;
  into.truncated_databases += s.truncated_databases;
  for (const auto& [k, v] : s.parsed) into.parsed[k] += v;
  for (const auto& [k, v] : s.parse_errors) into.parse_errors[k] += v;
}

}  // namespace seam::discover
