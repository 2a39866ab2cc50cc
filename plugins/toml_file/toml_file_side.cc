#include "plugins/toml_file/toml_file_side.h"

#include <openssl/crypto.h>

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
#include "plugins/toml_file/toml_document.h"

namespace seam {
namespace {

namespace fs = std::filesystem;

class TomlFileSide final : public Side {
 public:
  TomlFileSide(fs::path path, std::vector<FieldPointer> places) : path_(std::move(path)), places_(std::move(places)) {}

  using Side::Observe;
  Observation Observe(Deadline deadline) override;
  std::vector<std::string> Fields() const override { return FieldNames(places_); }
  Status Write(const Record& record, const ChangeMarker& expected) override { return Modify(&record, expected); }
  Status Remove(const ChangeMarker& expected) override { return Modify(nullptr, expected); }
  Status CheckWritable() override;
  std::string Describe() const override {
    return "toml-file " + path_.string() + DescribePlaces(places_);
  }
  std::vector<fs::path> WatchPaths() const override { return {path_}; }
  std::vector<FilePlace> FilePlaces() const override {
    std::vector<FilePlace> out;
    for (const FieldPointer& p : places_) out.push_back({path_, p.pointer.text});
    return out;
  }

 private:
  Result<std::optional<toml::table>> Load(FileSnapshot& snap) const {
    SEAM_RETURN_IF_ERROR(ReadFileSnapshot(path_, kTomlFileMaxBytes, &snap));
    if (!snap.exists) return std::optional<toml::table>();
    SEAM_ASSIGN_OR_RETURN(toml::table doc, ParseTomlDocument(path_.string(), snap.bytes));
    return std::optional<toml::table>(std::move(doc));
  }
  Status Modify(const Record* record, const ChangeMarker& expected);

  fs::path path_;
  std::vector<FieldPointer> places_;
};

Observation TomlFileSide::Observe(Deadline /*deadline*/) {
  FileSnapshot snap;
  Result<std::optional<toml::table>> doc = Load(snap);
  auto unreadable = [&](std::string why) {
    Observation o = Observation::Unreadable(std::move(why));
    o.marker = ChangeMarker{snap.marker};
    o.changed_at_us = snap.mtime_us;
    return o;
  };
  if (!doc.ok()) return snap.exists ? unreadable(doc.status().message()) : Observation::Unreadable(doc.status().message());
  if (!doc->has_value()) return Observation::Missing(ChangeMarker{snap.marker});
  TomlWipeGuard wipe{**doc};
  Record fields;
  for (const FieldPointer& p : places_) {
    Result<TomlPlace> at = FindTomlPlace(**doc, p.pointer);
    if (!at.ok()) return unreadable(path_.string() + ": " + at.status().message());
    if (at->node != nullptr) fields.emplace(p.field, Secret(std::string_view(at->node->as_string()->get())));
  }
  if (fields.empty()) return Observation::Absent(ChangeMarker{snap.marker}, snap.mtime_us);
  return Observation::Value(std::move(fields), ChangeMarker{snap.marker}, snap.mtime_us);
}

Status TomlFileSide::CheckWritable() {
  SEAM_RETURN_IF_ERROR(RefuseSymlink(path_));
  SEAM_RETURN_IF_ERROR(RefuseHardLinks(path_));
  SEAM_RETURN_IF_ERROR(CheckReplaceable(path_));
  FileSnapshot snap;
  Result<std::optional<toml::table>> doc = Load(snap);
  if (!doc.ok()) return Status::FailedPrecondition(doc.status().message());
  if (!doc->has_value()) return Status::Ok();
  TomlWipeGuard wipe{**doc};
  for (const FieldPointer& p : places_) {
    if (Result<TomlPlace> at = FindTomlPlace(**doc, p.pointer); !at.ok()) {
      return Status::FailedPrecondition(path_.string() + ": " + at.status().message());
    }
  }
  return Status::Ok();
}

// The key of `node` in `table` (its source says where the key was written).
const toml::key* KeyOf(const toml::table& table, const toml::node* node) {
  for (auto&& [key, child] : table) {
    if (&child == node) return &key;
  }
  return nullptr;
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

bool TryOffset(const TomlText& text, const toml::source_position& at, std::size_t* out) {
  const std::optional<std::size_t> offset = text.Offset(at);
  if (!offset) return false;
  *out = *offset;
  return true;
}

Status TomlFileSide::Modify(const Record* record, const ChangeMarker& expected) {
  const std::string shown = path_.string();
  auto refuse = [&](const std::string& why) { return Status::FailedPrecondition(shown + ": " + why + "; not writing"); };
  if (Status link = RefuseSymlink(path_); !link.ok()) return Status(link.code(), link.message() + "; not writing");
  FileSnapshot snap;
  Result<std::optional<toml::table>> loaded = Load(snap);
  if (!loaded.ok()) {
    return Status(loaded.status().code() == StatusCode::kInvalidArgument ? StatusCode::kFailedPrecondition
                                                                          : loaded.status().code(),
                  loaded.status().message() + "; not writing");
  }
  if (ChangeMarker{snap.marker} != expected) return Status::FailedPrecondition(shown + " changed since it was observed; not writing");
  toml::table doc = loaded->has_value() ? std::move(**loaded) : toml::table();
  TomlWipeGuard wipe_doc{doc};
  toml::table want = doc;  // the old tree with the changes, to compare the result with
  TomlWipeGuard wipe_want{want};
  const TomlText text(snap.bytes);

  std::vector<TextEdit> edits;
  for (const FieldPointer& p : places_) {
    Result<TomlPlace> at = FindTomlPlace(doc, p.pointer);
    if (!at.ok()) return refuse(at.status().message());
    Result<TomlPlace> mirror = FindTomlPlace(want, p.pointer);
    if (!mirror.ok()) return refuse(mirror.status().message());
    if (record == nullptr) {
      if (at->node == nullptr) continue;
      const toml::key* key = KeyOf(*at->parent, at->node);
      std::size_t key_at = 0, value_end = 0;
      if (key == nullptr || !TryOffset(text, key->source().begin, &key_at) ||
          !TryOffset(text, at->node->source().end, &value_end)) {
        return refuse(p.pointer.text + ": its place in the file is unknown");
      }
      const std::size_t line = text.LineStart(key_at);
      std::size_t after = value_end;
      while (after < snap.bytes.size() && IsBlank(snap.bytes[after])) ++after;
      const bool alone = std::all_of(snap.bytes.begin() + static_cast<std::ptrdiff_t>(line),
                                     snap.bytes.begin() + static_cast<std::ptrdiff_t>(key_at), IsBlank) &&
                         (after >= snap.bytes.size() || snap.bytes[after] == '\n' || snap.bytes[after] == '\r' ||
                          snap.bytes[after] == '#');
      if (!alone || at->parent->is_inline()) {
        return refuse(p.pointer.text + " shares its line with other keys (an inline table?); seam removes only a "
                                       "key on a line of its own");
      }
      edits.push_back({line, text.LineEnd(value_end), ""});
      mirror->parent->erase(mirror->key);
      continue;
    }
    auto it = record->find(p.field);
    if (it == record->end()) continue;
    const std::string_view value = it->second.Reveal();
    if (at->node != nullptr && at->node->as_string()->get() == value) continue;  // already there
    if (at->node != nullptr) {
      const std::optional<std::size_t> begin = text.Offset(at->node->source().begin);
      const std::optional<std::size_t> end = text.Offset(at->node->source().end);
      if (!begin || !end || *end <= *begin) return refuse(p.pointer.text + ": its place in the file is unknown");
      Result<std::string> encoded = EncodeTomlString(value, snap.bytes[*begin] == '\'');
      if (!encoded.ok()) return Status::InvalidArgument(shown + ": " + p.pointer.text + ": " + encoded.status().message() + "; not writing");
      edits.push_back({*begin, *end, std::move(*encoded)});
    } else {
      if (at->parent == nullptr) {
        return refuse(p.pointer.text + ": a table on the way does not exist; seam creates a key only in an existing table");
      }
      if (at->parent->is_inline()) return refuse(p.pointer.text + ": its table is an inline table; seam does not add keys to one");
      Result<std::string> encoded = EncodeTomlString(value, false);
      if (!encoded.ok()) return Status::InvalidArgument(shown + ": " + p.pointer.text + ": " + encoded.status().message() + "; not writing");
      // After the table's last key (its subtables, written under headers of their own, do not
      // count), with that key's indentation; a table with none: after its header; the root: first.
      std::optional<std::size_t> last_end, last_key;
      for (auto&& [key, child] : *at->parent) {
        if ((child.is_table() && !child.as_table()->is_inline()) || child.is_array_of_tables()) continue;
        const std::optional<std::size_t> end = text.Offset(child.source().end);
        if (end && (!last_end || *end > *last_end)) {
          last_end = end;
          last_key = text.Offset(key.source().begin);
        }
      }
      std::size_t pos = 0;
      std::string indent;
      if (last_end) {
        pos = text.LineEnd(*last_end);
        for (std::size_t i = last_key ? text.LineStart(*last_key) : pos; i < snap.bytes.size() && IsBlank(snap.bytes[i]); ++i) {
          indent += snap.bytes[i];
        }
      } else if (at->parent != &doc) {
        const std::optional<std::size_t> header = text.Offset(at->parent->source().begin);
        if (!header) return refuse(p.pointer.text + ": its table has no header to add a key under");
        pos = text.LineEnd(*header);
      }
      std::string line = indent + EncodeTomlKey(at->key) + " = " + *encoded + "\n";
      if (pos == snap.bytes.size() && pos > 0 && snap.bytes.back() != '\n') line = "\n" + line;
      edits.push_back({pos, pos, std::move(line)});
      WipeString(*encoded);
    }
    mirror->parent->insert_or_assign(mirror->key, std::string(value));
  }
  if (edits.empty()) return Status::Ok();

  std::optional<std::string> edited = ApplyTextEdits(snap.bytes, edits);
  if (!edited) return refuse("two fields' places overlap");
  std::string& out = *edited;
  // The new text must parse to the old tree with only those values changed: a misplaced byte
  // would otherwise reach another program's file.
  Result<toml::table> again = ParseTomlDocument(shown, out);
  const bool same = again.ok() && *again == want;
  if (again.ok()) WipeToml(*again);
  return WriteIfReadsBack(path_, snap.identity, out, same, again.ok() ? "another value differs" : again.status().message());
}

}  // namespace

Result<std::unique_ptr<Side>> MakeTomlFileSide(SideOptions& options) {
  SEAM_ASSIGN_OR_RETURN(std::optional<fs::path> path, options.TakePath("path", true));
  SEAM_ASSIGN_OR_RETURN(std::vector<FieldPointer> places, TakeFieldPointers(options));
  SEAM_RETURN_IF_ERROR(options.RejectUnknown());
  return std::unique_ptr<Side>(std::make_unique<TomlFileSide>(std::move(*path), std::move(places)));
}

}  // namespace seam
