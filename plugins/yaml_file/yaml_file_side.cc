#include "plugins/yaml_file/yaml_file_side.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "plugins/common/atomic_file.h"
#include "plugins/common/field_pointers.h"
#include "plugins/common/file_snapshot.h"
#include "plugins/common/link_policy.h"
#include "plugins/common/text_edits.h"
#include "plugins/common/wipe.h"
#include "plugins/yaml_file/yaml_document.h"

namespace seam {
namespace {

namespace fs = std::filesystem;

struct YamlWipeGuard {
  std::vector<YamlNode>& docs;
  ~YamlWipeGuard() {
    for (YamlNode& d : docs) WipeYaml(d);
  }
};

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::size_t LineStart(std::string_view bytes, std::size_t offset) {
  while (offset > 0 && bytes[offset - 1] != '\n') --offset;
  return offset;
}

// Past the newline ending the line that holds `offset` (or the end of the text).
std::size_t LineEnd(std::string_view bytes, std::size_t offset) {
  while (offset < bytes.size() && bytes[offset] != '\n') ++offset;
  return offset < bytes.size() ? offset + 1 : offset;
}

// Where a key added to the block mapping `map` goes: after the mapping's last line, that is the
// last line after its last key that is indented deeper than its keys (the last key's value), or
// a sequence item at the keys' own indentation ("key:\n- a"). Comments and blank lines after it
// belong to what follows.
std::size_t EndOfBlockMapping(std::string_view bytes, const YamlNode& map) {
  const YamlNode& last_key = map.items[map.items.size() - 2];
  const std::size_t indent = last_key.column;
  std::size_t end = LineEnd(bytes, last_key.pos);
  for (std::size_t line = end; line < bytes.size();) {
    const std::size_t next = LineEnd(bytes, line);
    std::size_t i = line;
    while (i < next && bytes[i] == ' ') ++i;
    const std::size_t depth = i - line;
    const char c = i < next ? bytes[i] : '\n';
    const bool blank = c == '\n' || c == '\r';
    const bool item = c == '-' && (i + 1 >= next || bytes[i + 1] == ' ' || bytes[i + 1] == '\n' || bytes[i + 1] == '\r');
    if (!blank) {
      if (depth > indent || (depth == indent && item)) {
        end = next;
      } else if (c != '#') {
        break;
      }
    }
    line = next;
  }
  return end;
}

class YamlFileSide final : public Side {
 public:
  YamlFileSide(fs::path path, std::vector<FieldPointer> places, std::optional<std::size_t> document)
      : path_(std::move(path)), places_(std::move(places)), document_(document) {}

  using Side::Observe;
  Observation Observe(Deadline deadline) override;
  std::vector<std::string> Fields() const override { return FieldNames(places_); }
  Status Write(const Record& record, const ChangeMarker& expected) override { return Modify(&record, expected); }
  Status Remove(const ChangeMarker& expected) override { return Modify(nullptr, expected); }
  Status CheckWritable() override;
  std::string Describe() const override {
    return "yaml-file " + path_.string() + (document_ ? " (document " + std::to_string(*document_) + ")" : "") +
           DescribePlaces(places_);
  }
  std::vector<fs::path> WatchPaths() const override { return {path_}; }
  std::vector<FilePlace> FilePlaces() const override {
    const std::string doc = document_.value_or(0) > 0 ? "#" + std::to_string(*document_) : "";
    std::vector<FilePlace> out;
    for (const FieldPointer& p : places_) out.push_back({path_, doc + p.pointer.text});
    return out;
  }

 private:
  // The file's documents (none when it is absent or holds none).
  Status Load(FileSnapshot& snap, std::vector<YamlNode>& docs) const {
    SEAM_RETURN_IF_ERROR(ReadFileSnapshot(path_, kYamlFileMaxBytes, &snap));
    if (!snap.exists) return Status::Ok();
    SEAM_ASSIGN_OR_RETURN(docs, ParseYamlDocuments(path_.string(), snap.bytes));
    return Status::Ok();
  }
  // The document the pointers walk: null when the file holds none.
  Result<std::size_t> Pick(const std::vector<YamlNode>& docs) const {
    if (docs.size() > 1 && !document_) {
      return Status::FailedPrecondition(path_.string() + " holds " + std::to_string(docs.size()) +
                                        " documents (---); say which with document = N (from 0)");
    }
    const std::size_t d = document_.value_or(0);
    if (!docs.empty() && d >= docs.size()) {
      return Status::FailedPrecondition(path_.string() + " holds " + std::to_string(docs.size()) +
                                        " document(s); there is no document " + std::to_string(d));
    }
    return d;
  }
  Status Modify(const Record* record, const ChangeMarker& expected);

  fs::path path_;
  std::vector<FieldPointer> places_;
  std::optional<std::size_t> document_;
};

Observation YamlFileSide::Observe(Deadline /*deadline*/) {
  FileSnapshot snap;
  std::vector<YamlNode> docs;
  YamlWipeGuard wipe{docs};
  const Status loaded = Load(snap, docs);
  auto unreadable = [&](std::string why) {
    Observation o = Observation::Unreadable(std::move(why));
    o.marker = ChangeMarker{snap.marker};
    o.changed_at_us = snap.mtime_us;
    return o;
  };
  if (!loaded.ok()) return snap.exists ? unreadable(loaded.message()) : Observation::Unreadable(loaded.message());
  if (!snap.exists) return Observation::Missing(ChangeMarker{snap.marker});
  Result<std::size_t> d = Pick(docs);
  if (!d.ok()) return unreadable(d.status().message());
  Record fields;
  for (const FieldPointer& p : places_) {
    if (docs.empty()) break;
    Result<YamlPlace> at = FindYamlPlace(docs[*d], p.pointer);
    if (!at.ok()) return unreadable(path_.string() + ": " + at.status().message());
    if (at->node != nullptr && at->node->kind == YamlNode::Kind::kScalar) {
      fields.emplace(p.field, Secret(std::string_view(at->node->value)));
    }
  }
  if (fields.empty()) return Observation::Absent(ChangeMarker{snap.marker}, snap.mtime_us);
  return Observation::Value(std::move(fields), ChangeMarker{snap.marker}, snap.mtime_us);
}

Status YamlFileSide::CheckWritable() {
  SEAM_RETURN_IF_ERROR(RefuseSymlink(path_));
  SEAM_RETURN_IF_ERROR(RefuseHardLinks(path_));
  SEAM_RETURN_IF_ERROR(CheckReplaceable(path_));
  FileSnapshot snap;
  std::vector<YamlNode> docs;
  YamlWipeGuard wipe{docs};
  if (Status loaded = Load(snap, docs); !loaded.ok()) return Status::FailedPrecondition(loaded.message());
  Result<std::size_t> d = Pick(docs);
  if (!d.ok()) return d.status();
  if (docs.empty()) return Status::Ok();
  for (const FieldPointer& p : places_) {
    if (Result<YamlPlace> at = FindYamlPlace(docs[*d], p.pointer); !at.ok()) {
      return Status::FailedPrecondition(path_.string() + ": " + at.status().message());
    }
  }
  return Status::Ok();
}

Status YamlFileSide::Modify(const Record* record, const ChangeMarker& expected) {
  const std::string shown = path_.string();
  auto refuse = [&](const std::string& why) { return Status::FailedPrecondition(shown + ": " + why + "; not writing"); };
  if (Status link = RefuseSymlink(path_); !link.ok()) return Status(link.code(), link.message() + "; not writing");
  FileSnapshot snap;
  std::vector<YamlNode> docs;
  YamlWipeGuard wipe_docs{docs};
  if (Status loaded = Load(snap, docs); !loaded.ok()) {
    return Status(loaded.code() == StatusCode::kInvalidArgument ? StatusCode::kFailedPrecondition : loaded.code(),
                  loaded.message() + "; not writing");
  }
  if (ChangeMarker{snap.marker} != expected) return Status::FailedPrecondition(shown + " changed since it was observed; not writing");
  Result<std::size_t> picked = Pick(docs);
  if (!picked.ok()) return Status(picked.status().code(), picked.status().message() + "; not writing");
  const std::size_t d = *picked;
  std::vector<YamlNode> want = docs;  // the old documents with the changes, to compare the result with
  YamlWipeGuard wipe_want{want};
  const std::string_view bytes = snap.bytes;
  // The file's own line ending, for a line seam adds.
  const std::string nl = bytes.find("\r\n") != std::string_view::npos ? "\r\n" : "\n";

  std::vector<TextEdit> edits;
  auto encode = [&](std::string_view text, YamlStyle style, YamlPlainType keep, bool flow) -> Result<std::string> {
    Result<std::string> out = EncodeYamlScalar(text, style, keep, flow);
    if (!out.ok()) return Status::InvalidArgument(shown + ": " + out.status().message() + "; not writing");
    return out;
  };
  auto scalar = [](std::string text) {
    YamlNode n;
    n.kind = YamlNode::Kind::kScalar;
    n.value = std::move(text);
    return n;  // its tag left empty: quoted or plain, either matches
  };

  for (const FieldPointer& p : places_) {
    const std::string& where = p.pointer.text;
    const Record::const_iterator it = record != nullptr ? record->find(p.field) : Record::const_iterator();
    if (record != nullptr && it == record->end()) continue;
    if (docs.empty()) {
      // An empty or missing file: a top-level key, appended.
      if (record == nullptr) continue;
      if (document_.value_or(0) != 0) return refuse("the file holds no document " + std::to_string(*document_));
      if (p.pointer.tokens.size() != 1) {
        return refuse(where + ": the file holds no document; seam creates only a top-level key in an empty file");
      }
      SEAM_ASSIGN_OR_RETURN(std::string key, encode(p.pointer.tokens[0], YamlStyle::kPlain, YamlPlainType::kString, false));
      SEAM_ASSIGN_OR_RETURN(std::string value, encode(it->second.Reveal(), YamlStyle::kPlain, YamlPlainType::kString, false));
      const bool needs_break = !bytes.empty() && bytes.back() != '\n' && (edits.empty() || edits.back().begin != bytes.size());
      edits.push_back({bytes.size(), bytes.size(), (needs_break ? nl : "") + key + ": " + value + nl});
      WipeString(value);
      if (want.empty()) {
        want.emplace_back();
        want[0].kind = YamlNode::Kind::kMapping;
        want[0].tag = "?";
      }
      want[0].items.push_back(scalar(p.pointer.tokens[0]));
      want[0].items.push_back(scalar(std::string(it->second.Reveal())));
      continue;
    }
    Result<YamlPlace> at = FindYamlPlace(docs[d], p.pointer);
    if (!at.ok()) return refuse(at.status().message());
    Result<YamlPlace> mirror = FindYamlPlace(want[d], p.pointer);
    if (!mirror.ok()) return refuse(mirror.status().message());
    YamlNode* node = at->node;
    if (record == nullptr && node == nullptr) continue;
    if (record != nullptr && node != nullptr && node->kind == YamlNode::Kind::kScalar &&
        node->value == it->second.Reveal()) {
      continue;  // already there
    }
    if (!at->alias.empty()) return refuse(where + " is reached through the alias " + at->alias + "; seam never writes through an alias");
    if (!at->anchored.empty()) {
      return refuse(where + " is under the anchor " + at->anchored + ", which other places may refer to; seam does not write it");
    }
    if (at->parent != nullptr && at->parent->kind == YamlNode::Kind::kMapping && at->parent->tag != "?" ) {
      return refuse(where + ": its mapping has the tag " + at->parent->tag + "; seam does not write into tagged mappings");
    }
    // The key's extent and the colon after it, for a null value and for a removal.
    auto after_colon = [&](std::size_t* colon) -> bool {
      if (at->key == nullptr) return false;
      const std::optional<YamlSpan> key = FindYamlScalarSpan(bytes, *at->key);
      if (!key) return false;
      std::size_t i = key->end;
      while (i < bytes.size() && IsBlank(bytes[i])) ++i;
      if (i >= bytes.size() || bytes[i] != ':') return false;
      *colon = i;
      return true;
    };

    if (record == nullptr) {
      if (at->key == nullptr) return refuse(where + " is a sequence item; seam removes only a key of a mapping");
      if (at->parent->flow) return refuse(where + " is in a flow mapping ({…}); seam removes only a key on a line of its own");
      if (at->parent->items.size() == 2) {
        return refuse(where + " is the only key of its mapping; removing it would leave null, not an empty mapping");
      }
      std::size_t colon = 0;
      if (!after_colon(&colon)) return refuse(where + ": its key is not a one-line plain or quoted scalar");
      std::size_t value_end = colon + 1;
      if (node->kind == YamlNode::Kind::kScalar) {
        const std::optional<YamlSpan> span = FindYamlScalarSpan(bytes, *node);
        if (!span || span->begin < colon) return refuse(where + " is not a one-line plain or quoted scalar");
        value_end = span->end;
      } else if (node->pos > colon && LineStart(bytes, node->pos) == LineStart(bytes, colon)) {
        value_end = node->pos;  // an explicit null (~, null): step over it
        while (value_end < bytes.size() && !IsBlank(bytes[value_end]) && bytes[value_end] != '\n' && bytes[value_end] != '\r') {
          ++value_end;
        }
      }
      const std::size_t line = LineStart(bytes, at->key->pos);
      std::size_t after = value_end;
      while (after < bytes.size() && IsBlank(bytes[after])) ++after;
      const bool alone =
          std::all_of(bytes.begin() + static_cast<std::ptrdiff_t>(line), bytes.begin() + static_cast<std::ptrdiff_t>(at->key->pos), IsBlank) &&
          (after >= bytes.size() || bytes[after] == '\n' || bytes[after] == '\r' || bytes[after] == '#');
      if (!alone) return refuse(where + " shares its line with other content; seam removes only a key on a line of its own");
      edits.push_back({line, LineEnd(bytes, value_end), ""});
      std::vector<YamlNode>& items = mirror->parent->items;
      const std::size_t k = static_cast<std::size_t>(mirror->key - items.data());
      items.erase(items.begin() + static_cast<std::ptrdiff_t>(k), items.begin() + static_cast<std::ptrdiff_t>(k) + 2);
      continue;
    }

    const std::string_view value = it->second.Reveal();
    const bool flow = at->parent != nullptr && at->parent->flow;
    if (node != nullptr && node->kind == YamlNode::Kind::kScalar) {
      const std::optional<YamlSpan> span = FindYamlScalarSpan(bytes, *node);
      if (!span) {
        return refuse(where + " is a block (| >), tagged or multi-line scalar; seam replaces only a one-line plain or quoted scalar");
      }
      const YamlPlainType keep = span->style == YamlStyle::kPlain ? ResolveYamlPlain(node->value) : YamlPlainType::kString;
      SEAM_ASSIGN_OR_RETURN(std::string text, encode(value, span->style, keep, flow));
      edits.push_back({span->begin, span->end, std::move(text)});
    } else if (node != nullptr) {
      // A key with a null value: `key:` or `key: ~`.
      std::size_t colon = 0;
      if (!after_colon(&colon)) return refuse(where + " is null where seam cannot place a value");
      std::size_t i = colon + 1;
      while (i < bytes.size() && IsBlank(bytes[i])) ++i;
      SEAM_ASSIGN_OR_RETURN(std::string text, encode(value, YamlStyle::kPlain, YamlPlainType::kString, flow));
      if (node->pos == i && i < bytes.size() && bytes[i] != '\n' && bytes[i] != '\r' && bytes[i] != '#') {
        std::size_t end = i;
        while (end < bytes.size() && !IsBlank(bytes[end]) && bytes[end] != '\n' && bytes[end] != '\r' && bytes[end] != ',' &&
               bytes[end] != '}') {
          ++end;
        }
        edits.push_back({i, end, std::move(text)});
      } else if (i >= bytes.size() || bytes[i] == '\n' || bytes[i] == '\r' || bytes[i] == '#') {
        edits.push_back({colon + 1, colon + 1, " " + text});
        WipeString(text);
      } else {
        return refuse(where + " is null where seam cannot place a value");
      }
    } else {
      if (at->parent == nullptr) {
        return refuse(where + ": a mapping on the way does not exist; seam creates a key only in an existing mapping");
      }
      if (at->parent->flow) return refuse(where + ": its mapping is a flow mapping ({…}); seam does not add keys to one");
      SEAM_ASSIGN_OR_RETURN(std::string key, encode(at->key == nullptr ? p.pointer.tokens.back() : at->key->value,
                                                    YamlStyle::kPlain, YamlPlainType::kString, false));
      SEAM_ASSIGN_OR_RETURN(std::string text, encode(value, YamlStyle::kPlain, YamlPlainType::kString, false));
      const std::size_t pos = EndOfBlockMapping(bytes, *at->parent);
      const std::size_t column = at->parent->items[at->parent->items.size() - 2].column;
      std::string line = std::string(column, ' ') + key + ": " + text + nl;
      WipeString(text);
      if (pos == bytes.size() && !bytes.empty() && bytes.back() != '\n') line = nl + line;
      edits.push_back({pos, pos, std::move(line)});
      mirror->parent->items.push_back(scalar(p.pointer.tokens.back()));
      mirror->parent->items.push_back(scalar(std::string(value)));
      continue;
    }
    YamlNode& changed = *mirror->node;
    changed = scalar(std::string(value));
  }
  if (edits.empty()) return Status::Ok();

  std::optional<std::string> edited = ApplyTextEdits(bytes, edits);
  if (!edited) return refuse("two fields' places overlap");
  std::string& out = *edited;
  // The new text must parse to the old documents with only those values changed: a misplaced
  // byte would otherwise reach another program's file.
  Result<std::vector<YamlNode>> again = ParseYamlDocuments(shown, out);
  bool same = again.ok() && again->size() == want.size();
  for (std::size_t i = 0; same && i < want.size(); ++i) same = SameYamlTree((*again)[i], want[i]);
  if (again.ok()) {
    for (YamlNode& doc : *again) WipeYaml(doc);
  }
  return WriteIfReadsBack(path_, snap.identity, out, same, again.ok() ? "another value differs" : again.status().message());
}

}  // namespace

Result<std::unique_ptr<Side>> MakeYamlFileSide(SideOptions& options) {
  SEAM_ASSIGN_OR_RETURN(std::optional<fs::path> path, options.TakePath("path", true));
  SEAM_ASSIGN_OR_RETURN(std::vector<FieldPointer> places, TakeFieldPointers(options));
  SEAM_ASSIGN_OR_RETURN(std::optional<std::int64_t> document, options.TakeInteger("document", 0, 1000));
  SEAM_RETURN_IF_ERROR(options.RejectUnknown());
  std::optional<std::size_t> doc;
  if (document) doc = static_cast<std::size_t>(*document);
  return std::unique_ptr<Side>(std::make_unique<YamlFileSide>(std::move(*path), std::move(places), doc));
}

}  // namespace seam
