#include "tools/discover/discover.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "plugins/common/errno_text.h"
#include "plugins/tls_endpoint/tls_probe.h"
#include "plugins/common/wipe.h"
#include "tools/discover/grouping.h"
#include "tools/discover/pem_extract.h"
#include "tools/discover/sqlite_extract.h"
#include "tools/discover/text_extract.h"
#include "tools/discover/value_shape.h"

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

// What the pre-scan kept of a file whose parse was put off: the keyed MACs of its words, each
// (line, word) once, and what the file was, to tell it was not replaced before the parse.
struct Deferred {
  std::size_t file = 0;  // into Walk::files
  off_t size = 0;
  struct timespec mtime {};
  std::vector<std::pair<std::string, std::string>> words;  // {mac, mac of its SHA-256 hex}
  std::set<std::string> keys;  // the names written before the words (a near miss is one name in siblings)
};

// One worker's share; merged at the end.
struct Share {
  std::vector<Place> places;
  std::vector<WalkWarning> warnings;
  std::vector<Deferred> deferred;
  DiscoverStats stats;
};

class FileReader {
 public:
  FileReader(const DiscoverOptions& o, const KeyRing& keys, Share& share) : options_(o), keys_(keys), share_(share) {}

  // `index`: the file's place in the walk. `before`: a file the pre-scan put off, now parsed:
  // it must be the file the pre-scan read.
  void Read(const WalkedFile& f, std::size_t index, const Deferred* before = nullptr) {
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

  ~FileReader() { WipeString(buffer_); }

 private:
  void Warn(const WalkedFile& f, std::string error) {
    ++share_.stats.unreadable;
    share_.warnings.push_back({f.path, std::move(error)});
  }

  // `st`: the first read (the pre-scan decides); null: the parse the pre-scan put off.
  void Text(const WalkedFile& f, std::optional<Format> named, std::string_view bytes, const struct stat* st,
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
      // Unnamed text: an environment file if it reads as one, else nothing discover reads.
      parsed = VisitEnv(f.path, bytes, [](const Spot&) {});
      if (!parsed.ok()) {
        ++share_.stats.unknown_format;
        return;
      }
      format = Format::kEnv;
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

  void Defer(std::size_t index, const struct stat& st, const Lexed& lexed) {
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

  Place NewPlace(const WalkedFile& f, Format format) const {
    Place p;
    p.file = f.path;
    p.via_link = f.via_link;
    p.format = format;
    return p;
  }

  void Value(const WalkedFile& f, Format format, const Spot& s, int yaml_documents) {
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

  void Fill(Place& p, Why why, std::string_view value) const {
    p.why = why;
    p.length = value.size();
    p.alphabet = AlphabetOf(value);
    p.mac = keys_.FingerprintMac(value);
    p.link_mac = keys_.FingerprintMac(Sha256Hex(value));
  }

  void Pem(const WalkedFile& f, std::string_view bytes) {
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

  void Database(const WalkedFile& f, std::size_t size) {
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

  const DiscoverOptions& options_;
  const KeyRing& keys_;
  Share& share_;
  std::string buffer_;
};

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

// The put-off files to parse: a word also somewhere else (another file's word or a place already
// parsed, as it is or as its SHA-256 hex), or a sibling file (one folder apart) with a word under
// the same name (a near miss needs both parsed).
std::vector<const Deferred*> ChooseToParse(const std::vector<Deferred>& deferred, const std::vector<Share>& shares,
                                           const std::vector<WalkedFile>& files) {
  std::unordered_map<std::string, int> seen;
  std::unordered_set<std::string> links;
  // (pattern, name) -> the files holding a word or place under that name there.
  std::map<std::pair<std::string, std::string>, std::set<std::string>> siblings;
  for (const Share& s : shares)
    for (const Place& p : s.places) {
      ++seen[p.mac];
      if (!p.link_mac.empty()) links.insert(p.link_mac);
      for (const std::string& pattern : SiblingPatterns(p.file)) siblings[{pattern, p.key_name}].insert(p.file);
    }
  for (const Deferred& d : deferred) {
    for (const auto& [mac, link] : d.words) {
      ++seen[mac];
      links.insert(link);
    }
    for (const std::string& pattern : SiblingPatterns(files[d.file].path))
      for (const std::string& key : d.keys) siblings[{pattern, key}].insert(files[d.file].path);
  }
  std::vector<const Deferred*> out;
  for (const Deferred& d : deferred) {
    bool parse = false;
    for (const auto& [mac, link] : d.words)
      parse = parse || seen[mac] >= 2 || seen.count(link) > 0 || links.count(mac) > 0;
    for (const std::string& pattern : SiblingPatterns(files[d.file].path))
      for (const std::string& key : d.keys) parse = parse || (!key.empty() && siblings[{pattern, key}].size() >= 2);
    if (parse) out.push_back(&d);
  }
  return out;
}

bool IsAddress(const std::string& host) {
  return host.find(':') != std::string::npos || host.find_first_not_of("0123456789.") == std::string::npos;
}

// "HOST:PORT" or "[v6]:PORT".
Result<TlsProbeOptions> ParseEndpoint(const std::string& given) {
  TlsProbeOptions o;
  const std::size_t colon = given.rfind(':');
  const auto bad = [&given] {
    return Status::InvalidArgument("--probe-tls " + given + ": not HOST:PORT (a v6 address in brackets: [::1]:443)");
  };
  if (colon == std::string::npos || colon == 0 || colon + 1 == given.size()) return bad();
  o.host = given.substr(0, colon);
  if (o.host.front() == '[') {
    if (o.host.back() != ']' || o.host.size() < 3) return bad();
    o.host = o.host.substr(1, o.host.size() - 2);
  } else if (o.host.find(':') != std::string::npos) {
    return bad();
  }
  const std::string port = given.substr(colon + 1);
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return bad();
  const int n = std::stoi(port);
  if (n < 1 || n > 65535) return bad();
  o.port = static_cast<std::uint16_t>(n);
  if (!IsAddress(o.host)) o.server_name = o.host;
  return o;
}

// The leaf each server presents, as a place of its own.
void ProbeServers(const DiscoverOptions& options, const std::vector<TlsProbeOptions>& servers, const KeyRing& keys,
                  Findings& out) {
  for (std::size_t i = 0; i < servers.size(); ++i) {
    const std::string& where = options.probe_tls[i];
    Result<PeerChain> chain = FetchPeerChain(servers[i]);
    if (!chain.ok()) {
      ++out.stats.unreadable;
      out.warnings.push_back({where, chain.status().message()});
      continue;
    }
    if (std::optional<PemItem> item = ReadCertificateDer(chain->front())) {
      Place p;
      p.file = where;
      p.format = Format::kTls;
      p.why = Why::kCertificate;
      p.locator = "served certificate";
      p.mac = keys.FingerprintMac("certificate\n" + item->der);
      p.link_mac = keys.FingerprintMac("public key\n" + item->public_key);
      p.detail = item->detail;
      p.ca = item->ca;
      out.places.push_back(std::move(p));
    }
  }
}

}  // namespace

const char* FormatName(Format f) {
  switch (f) {
    case Format::kJson: return "json";
    case Format::kYaml: return "yaml";
    case Format::kToml: return "toml";
    case Format::kEnv: return "env";
    case Format::kPem: return "pem";
    case Format::kSqlite: return "sqlite";
    case Format::kTls: return "tls";
  }
  return "?";
}

const char* WhyName(Why w) {
  switch (w) {
    case Why::kKeyName: return "key name";
    case Why::kEntropy: return "entropy";
    case Why::kDigest: return "digest";
    case Why::kPlain: return "plain";
    case Why::kCertificate: return "certificate";
    case Why::kPrivateKey: return "private key";
  }
  return "?";
}

Result<Findings> Discover(const DiscoverOptions& options, const KeyRing& keys) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<TlsProbeOptions> servers;
  for (const std::string& given : options.probe_tls) {
    Result<TlsProbeOptions> server = ParseEndpoint(given);
    if (!server.ok()) return server.status();
    servers.push_back(*server);
  }
  Result<Walk> walk = WalkTrees(options.walk);
  if (!walk.ok()) return walk.status();
  unsigned threads = options.threads ? options.threads : std::min(4u, std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(1, walk->files.size())));
  std::vector<Share> shares(threads);
  // Runs `read(reader, i)` for i in [0, n) on the pool, each worker into its own share.
  auto run = [&](std::size_t n, const std::function<void(FileReader&, std::size_t)>& read) {
    std::atomic<std::size_t> next{0};
    auto work = [&](Share& share) {
      FileReader reader(options, keys, share);
      for (std::size_t i; (i = next.fetch_add(1)) < n;) read(reader, i);
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, std::ref(shares[t]));
    work(shares[0]);
    for (std::thread& t : pool) t.join();
  };
  // Phase 1: every file read once; parsed at once, or its words kept.
  run(walk->files.size(), [&](FileReader& r, std::size_t i) { r.Read(walk->files[i], i); });
  // Phase 2: the files whose words are somewhere else too, or which have siblings, parsed.
  std::vector<Deferred> deferred;
  for (Share& s : shares) std::move(s.deferred.begin(), s.deferred.end(), std::back_inserter(deferred));
  const std::vector<const Deferred*> chosen = ChooseToParse(deferred, shares, walk->files);
  run(chosen.size(), [&](FileReader& r, std::size_t i) { r.Read(walk->files[chosen[i]->file], chosen[i]->file, chosen[i]); });

  Findings out;
  out.warnings = std::move(walk->warnings);
  out.stats.walk = walk->stats;
  out.stats.files = walk->files.size();
  out.stats.lone = deferred.size() - chosen.size();
  for (Share& s : shares) {
    std::move(s.places.begin(), s.places.end(), std::back_inserter(out.places));
    std::move(s.warnings.begin(), s.warnings.end(), std::back_inserter(out.warnings));
    Merge(out.stats, s.stats);
  }
  ProbeServers(options, servers, keys, out);
  std::sort(out.places.begin(), out.places.end(),
            [](const Place& a, const Place& b) { return std::tie(a.file, a.locator) < std::tie(b.file, b.locator); });
  std::sort(out.warnings.begin(), out.warnings.end(),
            [](const WalkWarning& a, const WalkWarning& b) { return a.path < b.path; });
  out.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace seam::discover
