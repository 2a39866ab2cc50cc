#include "tools/discover/report.h"

#include <algorithm>
#include <cctype>
#include <iomanip>
#include <map>
#include <ranges>
#include <sstream>
#include <vector>

#include "core/crypto.h"
#include "plugins/common/utf8.h"
#include "plugins/toml_file/toml_document.h"

namespace seam::discover {
namespace {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

std::string Shown(const Place& p) {
  if (p.via_link.empty()) return Printable(p.file);
  return Printable(p.via_link) + " (-> " + Printable(p.file) + ")";
}

std::string TransformOf(const Group& g, std::size_t k) { return g.digest[k] ? "sha256-hex" : "plain"; }

std::string KindOf(const Group& g, const std::vector<Place>& places) {
  if (g.certificate) return "certificate";
  for (std::size_t k = 0; k < g.places.size(); ++k) {
    const Place& p = places[g.places[k]];
    std::string lower;
    for (char c : p.key_name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!g.digest[k] && lower.find("token") != std::string::npos) return "token";
  }
  return "value";
}

bool Plain(const Group& g, const std::vector<Place>& places) {
  for (std::size_t i : g.places)
    if (places[i].why != Why::kPlain) return false;
  return true;
}

std::string Thousands(std::size_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

// "812 bytes", "14.2 KB", "1071.3 MB": the amount read, for the header.
std::string Amount(std::size_t n) {
  if (n < 1000) return std::to_string(n) + " bytes";
  std::ostringstream o;
  o << std::fixed << std::setprecision(1) << static_cast<double>(n) / (n < 1'000'000 ? 1e3 : 1e6)
    << (n < 1'000'000 ? " KB" : " MB");
  return o.str();
}

// [a-z0-9][a-z0-9._-]*, as seam names and side names are.
std::string Slug(std::string_view s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      out += static_cast<char>(std::tolower(u));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  if (out.size() > 48) out.resize(48);  // names stay short enough to type
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

// A TOML basic string. REQUIRES: `s` is UTF-8 (SideFor refuses the places whose names are not).
std::string Quote(const std::string& s) {
  Result<std::string> q = EncodeTomlString(s, false);
  return q.ok() ? *q : "\"\"";
}

// The path --toml writes: below the base directory relative to it, else absolute; a link's name
// when the walk reached the file through one (certbot's live/ names follow renewals).
std::string ConfigPath(const Place& p, const fs::path& base) {
  const fs::path abs = fs::absolute(p.via_link.empty() ? p.file : p.via_link).lexically_normal();
  const fs::path rel = abs.lexically_relative(fs::absolute(base).lexically_normal());
  if (!rel.empty() && *rel.begin() != "..") return rel.string();
  return abs.string();
}

bool IsIdentifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

struct SideTable {
  std::string name;
  std::vector<std::pair<std::string, std::string>> keys;  // key = quoted value
  std::string why_not;  // non-empty: no side can keep this place
};

// The side a place becomes, or why it cannot.
SideTable SideFor(const Place& p, bool digest, const fs::path& base) {
  SideTable t;
  bool utf8 = true;
  auto add = [&t, &utf8](const std::string& k, const std::string& v) {
    utf8 = utf8 && IsValidUtf8(v) && std::none_of(v.begin(), v.end(), [](char c) {
             return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
           });
    t.keys.emplace_back(k, Quote(v));
  };
  const std::string path = ConfigPath(p, base);
  switch (p.format) {
    case Format::kJson:
    case Format::kToml:
      add("plugin", p.format == Format::kJson ? "json-file" : "toml-file");
      add("path", path);
      add("pointer", p.locator);
      break;
    case Format::kYaml: {
      add("plugin", "yaml-file");
      add("path", path);
      std::string pointer = p.locator;
      if (pointer.starts_with("#")) pointer = pointer.substr(pointer.find('/'));
      add("pointer", pointer);
      if (p.yaml_documents > 1) t.keys.emplace_back("document", std::to_string(p.yaml_document));
      break;
    }
    case Format::kEnv:
      add("plugin", "env-file");
      add("path", path);
      add("variable", p.locator);
      break;
    case Format::kSqlite:
      if (!p.cell || p.cell->key_column.empty() || !IsIdentifier(p.cell->table) || !IsIdentifier(p.cell->column) ||
          !IsIdentifier(p.cell->key_column)) {
        t.why_not = "no sqlite-row side can name this row (its table needs a one-column primary key, and plain identifiers)";
        return t;
      }
      add("plugin", "sqlite-row");
      add("path", path);
      add("table", p.cell->table);
      add("key_column", p.cell->key_column);
      add("key", p.cell->key);
      add("value_column", p.cell->column);
      break;
    case Format::kPem:
    case Format::kTls:
      t.why_not = "pem";
      return t;
  }
  if (digest) add("transform", "sha256-hex");
  if (!utf8) {
    t.keys.clear();
    t.why_not = "its path or place is not UTF-8 or holds a control character, which seam.toml does not take";
  }
  return t;
}

// Side names from the folder holding the file (cli/paired.json: "cli"), made unique in the seam.
std::string SideName(const Place& p, std::set<std::string>& used) {
  const fs::path file = p.via_link.empty() ? p.file : p.via_link;
  std::string name = Slug(file.parent_path().filename().string());
  if (name.empty()) name = Slug(file.stem().string());
  if (name.empty()) name = "side";
  std::string tried = name;
  if (used.count(tried)) tried = name + "-" + Slug(file.stem().string());
  for (int n = 2; used.count(tried) || tried.empty(); ++n) tried = name + "-" + std::to_string(n);
  used.insert(tried);
  return tried;
}

std::string SeamName(const Group& g, const std::vector<Place>& places, std::set<std::string>& taken) {
  std::string best;
  for (std::size_t k = 0; k < g.places.size(); ++k) {
    const Place& p = places[g.places[k]];
    if (g.digest[k]) continue;
    const std::string s = Slug(g.certificate ? fs::path(p.via_link.empty() ? p.file : p.via_link).parent_path().filename().string() + "-tls"
                                             : p.key_name);
    if (s.size() > best.size()) best = s;
  }
  if (best.empty()) best = g.certificate ? "certificate" : "value";
  std::string name = best;
  for (int n = 2; taken.count(name); ++n) name = best + "-" + std::to_string(n);
  taken.insert(name);
  return name;
}

// The folder of the name a side would use.
std::string Folder(const Place& p) { return fs::path(p.via_link.empty() ? p.file : p.via_link).parent_path().string(); }

void PrintSide(std::ostream& out, const SideTable& t, bool commented) {
  const std::string c = commented ? "# " : "";
  out << c << "[seam.sides." << t.name << "]\n";
  for (const auto& [k, v] : t.keys) out << c << k << " = " << v << "\n";
}

// A certificate group: one pem-file side per certificate file with a key file (the key beside
// it first), then copies of the certificate no side can keep without a key.
void PrintCertificateSeam(std::ostream& out, const Group& g, const std::vector<Place>& places, const std::string& name,
                          const fs::path& base) {
  std::vector<const Place*> certs, keys, served;
  for (std::size_t i : g.places) {
    const Place& p = places[i];
    (p.format == Format::kTls ? served : p.why == Why::kCertificate ? certs : keys).push_back(&p);
  }
  if (certs.empty() || keys.empty()) {
    out << "# " << (certs.empty() ? "no certificate found for this key" : "no private key found for this certificate")
        << ": a pem-file side needs both\n\n";
    return;
  }
  // One pem-file side per folder, on the file with the fullest chain (certbot's fullchain.pem, not
  // cert.pem: a server given the leaf alone is the classic missing intermediate).
  // Of equal chains, a fullchain*.pem first (certbot's, whose chain may be the leaf alone).
  auto rank = [](const Place* p) {
    const std::string file = fs::path(p->via_link.empty() ? p->file : p->via_link).filename().string();
    return std::make_pair(p->chain_length, file.starts_with("fullchain") ? 1 : 0);
  };
  std::stable_sort(certs.begin(), certs.end(), [&](const Place* a, const Place* b) { return rank(a) > rank(b); });
  std::set<std::string> folders;
  std::vector<const Place*> copies;
  std::erase_if(certs, [&](const Place* c) {
    const bool again = !folders.insert(Folder(*c)).second;
    if (again) copies.push_back(c);
    return again;
  });
  for (const Place* p : g.places | std::views::transform([&](std::size_t i) { return &places[i]; }))
    if (p->format == Format::kPem && (!IsValidUtf8(ConfigPath(*p, base)) || Printable(ConfigPath(*p, base)) != ConfigPath(*p, base))) {
      out << "# " << Shown(*p) << ": its path is not UTF-8 or holds a control character, which seam.toml does not take\n\n";
      return;
    }
  std::set<std::string> used;
  std::vector<SideTable> sides;
  for (const Place* cert : certs) {
    const Place* key = keys.front();
    for (const Place* k : keys)
      if (Folder(*k) == Folder(*cert)) key = k;
    SideTable t;
    t.name = SideName(*cert, used);
    t.keys = {{"plugin", Quote("pem-file")}, {"cert_path", Quote(ConfigPath(*cert, base))}, {"key_path", Quote(ConfigPath(*key, base))}};
    sides.push_back(std::move(t));
  }
  out << "[[seam]]\nname = " << Quote(name) << "\nkind = \"certificate\"\nentity = " << Quote(name)
      << "\nauthority = " << Quote(sides.front().name) << "   # what renews it on disk is adopted, never written over\n";
  for (const Place* s : served) {
    // HOST:PORT or [v6]:PORT, as --probe-tls took it.
    const std::size_t colon = s->file.rfind(':');
    std::string host = s->file.substr(0, colon);
    if (host.starts_with("[")) host = host.substr(1, host.size() - 2);
    SideTable t;
    t.name = Slug("served-" + host);
    for (int n = 2; used.count(t.name); ++n) t.name = Slug("served-" + host) + "-" + std::to_string(n);
    used.insert(t.name);
    t.keys = {{"plugin", Quote("tls-endpoint")}, {"host", Quote(host)}, {"port", Quote(s->file.substr(colon + 1))}};
    if (host.find_first_not_of("0123456789.:") != std::string::npos) t.keys.emplace_back("server_name", Quote(host));
    sides.push_back(std::move(t));
  }
  for (const Place* c : copies) out << "# also holds the certificate: " << Shown(*c) << "\n";
  for (const SideTable& t : sides) {
    PrintSide(out, t, false);
    if (t.keys.front().second == Quote("tls-endpoint"))
      out << "# on_repair = [\"nginx\", \"-s\", \"reload\"]   # what makes the server load a renewal\n";
  }
  // The authority's certificate is adopted by the first repair; `adopt` would also ask to write
  // the pem side, which may be another tool's links (certbot's live/).
  out << "# then: seamctl repair " << name << "   (adopts what " << sides.front().name << " holds)\n\n";
}

}  // namespace

std::string Printable(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto u = static_cast<unsigned char>(s[i]);
    const std::size_t len = u < 0x80 ? 1 : Utf8SequenceLength(s, i);
    if (u == '\n') {
      out += "\\n";
    } else if (u == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f || len == 0) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out.append(s.substr(i, len));
      i += len;
      continue;
    }
    ++i;
  }
  return out;
}

int ExitCodeFor(const ReportContext& r) {
  for (const Group& g : r.grouping.groups)
    if (g.Candidate()) return 1;
  return r.grouping.near_misses.empty() ? 0 : 1;
}

void PrintText(std::ostream& out, const ReportContext& r) {
  const std::vector<Place>& places = r.findings.places;
  const DiscoverStats& st = r.findings.stats;
  std::size_t candidates = 0, declared = 0;
  for (const Group& g : r.grouping.groups) (g.Candidate() ? candidates : declared) += 1;
  out << "discover: " << candidates << (candidates == 1 ? " group" : " groups") << ", "
      << r.grouping.near_misses.size() << (r.grouping.near_misses.size() == 1 ? " near miss" : " near misses")
      << " in " << Thousands(st.files) << " files (" << Amount(st.bytes_read) << " read, " << std::fixed
      << std::setprecision(2) << st.seconds << " s); fingerprints keyed by " << r.key_note << "\n";
  int n = 0;
  for (const Group& g : r.grouping.groups) {
    if (!g.Candidate()) continue;
    out << "\ngroup " << ++n << ": " << KindOf(g, places) << " " << g.fingerprint << ", " << g.places.size()
        << " places" << (g.declared ? ", " + std::to_string(g.declared) + " of them declared" : "") << "\n";
    for (std::size_t k = 0; k < g.places.size(); ++k) {
      const Place& p = places[g.places[k]];
      out << "  " << Shown(p) << "  " << Printable(p.locator) << "  (" << FormatName(p.format) << ", " << WhyName(p.why);
      if (!g.certificate) out << ", " << TransformOf(g, k);
      out << ")";
      if (!p.covered_seam.empty()) out << "  declared: seam " << p.covered_seam << " side " << p.covered_side;
      out << "\n";
    }
  }
  n = 0;
  for (const NearMiss& m : r.grouping.near_misses) {
    out << "\nnear miss " << ++n << ": " << Printable(m.locator) << " differs between sibling files\n";
    for (std::size_t i : m.places) out << "  " << Shown(places[i]) << "  " << FingerprintOfMac(places[i].mac) << "\n";
  }
  if (declared) out << "\nalready declared in the config: " << declared << (declared == 1 ? " group" : " groups") << "\n";
  if (!r.findings.warnings.empty())
    out << "\n" << r.findings.warnings.size() << " unreadable (named on stderr)\n";
  if (candidates) out << "\nseamctl discover --toml prints these as [[seam]] tables for seam.toml\n";
}

ojson ToJson(const ReportContext& r) {
  const std::vector<Place>& places = r.findings.places;
  ojson groups = ojson::array();
  for (const Group& g : r.grouping.groups) {
    ojson list = ojson::array();
    for (std::size_t k = 0; k < g.places.size(); ++k) {
      const Place& p = places[g.places[k]];
      ojson j = {{"file", p.file},
                 {"via_link", p.via_link.empty() ? ojson(nullptr) : ojson(p.via_link)},
                 {"format", FormatName(p.format)},
                 {"locator", p.locator},
                 {"why", WhyName(p.why)},
                 {"transform", g.certificate ? ojson(nullptr) : ojson(TransformOf(g, k))},
                 {"declared", p.covered_seam.empty() ? ojson(nullptr)
                                                     : ojson{{"seam", p.covered_seam}, {"side", p.covered_side}}}};
      list.push_back(std::move(j));
    }
    groups.push_back({{"kind", KindOf(g, places)},
                      {"fingerprint", g.fingerprint},
                      {"candidate", g.Candidate()},
                      {"places", std::move(list)}});
  }
  ojson near = ojson::array();
  for (const NearMiss& m : r.grouping.near_misses) {
    ojson list = ojson::array();
    for (std::size_t i : m.places)
      list.push_back({{"file", places[i].file}, {"format", FormatName(places[i].format)}, {"fingerprint", FingerprintOfMac(places[i].mac)}});
    near.push_back({{"locator", m.locator}, {"places", std::move(list)}});
  }
  ojson warnings = ojson::array();
  for (const WalkWarning& w : r.findings.warnings) warnings.push_back({{"file", w.path}, {"error", w.error}});
  const DiscoverStats& st = r.findings.stats;
  ojson stats = {{"files", st.files},
                 {"bytes_read", st.bytes_read},
                 {"seconds", st.seconds},
                 {"parsed", st.parsed},
                 {"parse_errors", st.parse_errors},
                 {"binary", st.binary},
                 {"too_large", st.too_large},
                 {"not_worth_parsing", st.not_worth},
                 {"lone", st.lone},
                 {"too_many_words", st.too_many_words},
                 {"unknown_format", st.unknown_format},
                 {"unreadable", st.unreadable},
                 {"truncated_databases", st.truncated_databases},
                 {"directories", st.walk.directories},
                 {"excluded", st.walk.excluded},
                 {"special", st.walk.special},
                 {"same_file", st.walk.same_file},
                 {"links_not_followed", st.walk.links_out},
                 {"broken_links", st.walk.broken_links}};
  return {{"groups", std::move(groups)}, {"near_misses", std::move(near)}, {"warnings", std::move(warnings)},
          {"stats", std::move(stats)}, {"keyed_by", r.key_note}};
}

void PrintToml(std::ostream& out, const ReportContext& r) {
  const std::vector<Place>& places = r.findings.places;
  std::set<std::string> taken = r.taken_names;
  out << "# Found by seamctl discover; fingerprints keyed by " << r.key_note << ".\n"
      << "# Paste into seam.toml, run `seamctl init`, then each `seamctl adopt` below records the value found.\n\n";
  int n = 0;
  for (const Group& g : r.grouping.groups) {
    if (!g.Candidate()) continue;
    const std::string name = SeamName(g, places, taken);
    out << "# group " << ++n << ": " << g.fingerprint << " in " << g.places.size() << " places\n";
    if (g.certificate) {
      PrintCertificateSeam(out, g, places, name, r.base_dir);
      continue;
    }
    std::set<std::string> used;
    std::vector<SideTable> sides;
    std::string declared_in;
    for (std::size_t k = 0; k < g.places.size(); ++k) {
      const Place& p = places[g.places[k]];
      if (!p.covered_seam.empty()) {
        declared_in = p.covered_seam;
        used.insert(p.covered_side);
        continue;
      }
      SideTable t = SideFor(p, g.digest[k], r.base_dir);
      if (!t.why_not.empty()) {
        out << "# " << Shown(p) << " " << Printable(p.locator) << ": " << t.why_not << "\n";
        continue;
      }
      t.name = SideName(p, used);
      sides.push_back(std::move(t));
    }
    if (!declared_in.empty()) {
      out << "# seam " << declared_in << " already keeps this value; add these sides under its [[seam]] table:\n";
      for (const SideTable& t : sides) PrintSide(out, t, true);
      out << "\n";
      continue;
    }
    std::string from;  // the side the value is adopted from: one that keeps it as it is
    for (std::size_t k = 0, s = 0; k < g.places.size() && s < sides.size(); ++k) {
      if (SideFor(places[g.places[k]], g.digest[k], r.base_dir).why_not.empty()) {
        if (!g.digest[k] && from.empty()) from = sides[s].name;
        ++s;
      }
    }
    if (sides.size() < 2 || from.empty()) {
      out << "# fewer than two places a side can keep, or none holding the value itself: no seam to write\n\n";
      continue;
    }
    const std::string kind = KindOf(g, places);
    out << "[[seam]]\nname = " << Quote(name) << "\nkind = " << Quote(kind) << "\nentity = " << Quote(name) << "\n";
    const bool plain = Plain(g, places);
    if (plain) out << "secret = \"false\"\n";
    for (std::size_t k = 0; k < g.places.size() && !plain; ++k) {
      const Place& p = places[g.places[k]];
      if (g.digest[k]) continue;
      // The shape of the value found, so a rotation draws one the same programs accept.
      const bool seam_default = p.length == 43 && (p.alphabet == "base64url" || p.alphabet == "alnum");
      if (!seam_default && !p.alphabet.empty() && p.length >= 8 && p.length <= 4096)
        out << "[seam.format]\nlength = " << p.length << "\nalphabet = " << Quote(p.alphabet) << "\n";
      break;
    }
    for (const SideTable& t : sides) PrintSide(out, t, false);
    out << "# then: seamctl adopt " << name << " --from " << from << "\n\n";
  }
  if (n == 0) out << "# nothing to declare\n";
}

}  // namespace seam::discover
