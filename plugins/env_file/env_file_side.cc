#include "plugins/env_file/env_file_side.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "plugins/common/atomic_file.h"
#include "plugins/common/file_snapshot.h"
#include "plugins/common/link_policy.h"
#include "plugins/common/text_edits.h"
#include "plugins/common/wipe.h"
#include "plugins/env_file/env_document.h"

namespace seam {
namespace {

namespace fs = std::filesystem;

struct FieldVariable {
  std::string field;
  std::string variable;
};

class EnvFileSide final : public Side {
 public:
  EnvFileSide(fs::path path, std::vector<FieldVariable> places, EnvDialect dialect)
      : path_(std::move(path)), places_(std::move(places)), dialect_(dialect) {}

  using Side::Observe;
  Observation Observe(Deadline deadline) override;
  std::vector<std::string> Fields() const override {
    std::vector<std::string> out;
    for (const FieldVariable& p : places_) out.push_back(p.field);
    return out;
  }
  Status Write(const Record& record, const ChangeMarker& expected) override { return Modify(&record, expected); }
  Status Remove(const ChangeMarker& expected) override { return Modify(nullptr, expected); }
  Status CheckWritable() override;
  std::string Describe() const override {
    std::string out = "env-file " + path_.string();
    if (places_.size() == 1) return out + " $" + places_.front().variable;
    std::string list;
    for (const FieldVariable& p : places_) list += (list.empty() ? "" : ", ") + p.field + "=$" + p.variable;
    return out + " (" + list + ")";
  }
  std::vector<fs::path> WatchPaths() const override { return {path_}; }
  std::vector<FilePlace> FilePlaces() const override {
    std::vector<FilePlace> out;
    for (const FieldVariable& p : places_) out.push_back({path_, p.variable});
    return out;
  }

 private:
  // Reads and parses the file: nullopt for a missing one.
  Result<std::optional<EnvDocument>> Load(FileSnapshot& snap) const {
    SEAM_RETURN_IF_ERROR(ReadFileSnapshot(path_, kEnvFileMaxBytes, &snap));
    if (!snap.exists) return std::optional<EnvDocument>();
    SEAM_ASSIGN_OR_RETURN(EnvDocument doc, ParseEnvDocument(path_.string(), snap.bytes, dialect_));
    return std::optional<EnvDocument>(std::move(doc));
  }
  // The entry of `variable`, null when not defined; an error when seam cannot tell its value.
  Result<const EnvEntry*> Entry(const EnvDocument& doc, const std::string& variable) const {
    const std::vector<const EnvEntry*> found = doc.Find(variable);
    if (found.empty()) return static_cast<const EnvEntry*>(nullptr);
    if (found.size() > 1) {
      return Status::FailedPrecondition(path_.string() + ": " + variable + " is defined more than once (lines " +
                                        std::to_string(found[0]->line) + " and " + std::to_string(found[1]->line) +
                                        "); which one a reader takes differs");
    }
    if (found.front()->bare) {
      return Status::FailedPrecondition(path_.string() + ":" + std::to_string(found.front()->line) + ": " + variable +
                                        " takes its value from docker's environment, which seam cannot see");
    }
    return found.front();
  }
  Status Modify(const Record* record, const ChangeMarker& expected);

  fs::path path_;
  std::vector<FieldVariable> places_;
  EnvDialect dialect_;
};

Observation EnvFileSide::Observe(Deadline /*deadline*/) {
  FileSnapshot snap;
  Result<std::optional<EnvDocument>> doc = Load(snap);
  if (!doc.ok() && !snap.exists) return Observation::Unreadable(doc.status().message());
  auto unreadable = [&](std::string why) {
    Observation o = Observation::Unreadable(std::move(why));
    o.marker = ChangeMarker{snap.marker};
    o.changed_at_us = snap.mtime_us;
    return o;
  };
  if (!doc.ok()) return unreadable(doc.status().message());
  if (!doc->has_value()) return Observation::Missing(ChangeMarker{snap.marker});
  Record fields;
  for (const FieldVariable& p : places_) {
    Result<const EnvEntry*> entry = Entry(**doc, p.variable);
    if (!entry.ok()) return unreadable(entry.status().message());
    if (*entry != nullptr) fields.emplace(p.field, Secret(std::string_view((*entry)->value)));
  }
  if (fields.empty()) return Observation::Absent(ChangeMarker{snap.marker}, snap.mtime_us);
  return Observation::Value(std::move(fields), ChangeMarker{snap.marker}, snap.mtime_us);
}

Status EnvFileSide::CheckWritable() {
  SEAM_RETURN_IF_ERROR(RefuseSymlink(path_));
  SEAM_RETURN_IF_ERROR(RefuseHardLinks(path_));
  SEAM_RETURN_IF_ERROR(CheckReplaceable(path_));
  FileSnapshot snap;
  Result<std::optional<EnvDocument>> doc = Load(snap);
  if (!doc.ok()) return Status::FailedPrecondition(doc.status().message());
  if (!doc->has_value()) return Status::Ok();
  for (const FieldVariable& p : places_) {
    if (Result<const EnvEntry*> entry = Entry(**doc, p.variable); !entry.ok()) return entry.status();
  }
  return Status::Ok();
}

Status EnvFileSide::Modify(const Record* record, const ChangeMarker& expected) {
  auto refuse = [](const Status& s) { return Status(s.code(), s.message() + "; not writing"); };
  if (Status link = RefuseSymlink(path_); !link.ok()) return refuse(link);
  FileSnapshot snap;
  Result<std::optional<EnvDocument>> loaded = Load(snap);
  if (!loaded.ok()) return refuse(loaded.status().code() == StatusCode::kInvalidArgument
                                      ? Status::FailedPrecondition(loaded.status().message())
                                      : loaded.status());
  // A change after this read is caught by ReplaceReadFile, which replaces only the file read (but
  // for a write through a descriptor opened before: plugins/common/atomic_file.h).
  if (ChangeMarker{snap.marker} != expected) {
    return Status::FailedPrecondition(path_.string() + " changed since it was observed; not writing");
  }
  EnvDocument none;
  const EnvDocument& doc = loaded->has_value() ? **loaded : none;
  const std::string_view old_text = snap.bytes;

  // The edits, by byte range of the old text: a value's bytes replaced, or a line removed.
  std::vector<TextEdit> edits;
  std::string appended;
  std::vector<std::string> written;  // variables whose value changes, in the new file
  for (const FieldVariable& p : places_) {
    Result<const EnvEntry*> entry = Entry(doc, p.variable);
    if (!entry.ok()) return refuse(entry.status());
    if (record == nullptr) {
      if (*entry != nullptr) edits.push_back({(*entry)->line_begin, (*entry)->line_end, ""});
      continue;
    }
    auto it = record->find(p.field);
    if (it == record->end()) continue;
    const std::string_view value = it->second.Reveal();
    if (*entry != nullptr && (*entry)->value == value) continue;  // already there
    Result<std::string> encoded = EncodeEnvValue(value, dialect_, *entry != nullptr ? (*entry)->quote : 0);
    if (!encoded.ok()) {
      return Status::InvalidArgument(path_.string() + ": " + p.variable + ": " + encoded.status().message() +
                                     "; not writing");
    }
    written.push_back(p.variable);
    if (*entry != nullptr) {
      edits.push_back({(*entry)->value_begin, (*entry)->value_end, std::move(*encoded)});
    } else {
      AppendWiping(appended, p.variable + "=");
      AppendWiping(appended, *encoded);
      AppendWiping(appended, "\n");
    }
    WipeString(*encoded);
  }
  if (edits.empty() && appended.empty()) return Status::Ok();  // nothing changes

  std::optional<std::string> edited = ApplyTextEdits(old_text, edits);
  if (!edited) return Status::Internal(path_.string() + ": two variables' places overlap; not writing");
  std::string& text = *edited;
  if (!appended.empty()) {
    if (!text.empty() && text.back() != '\n') AppendWiping(text, "\n");
    AppendWiping(text, appended);
    WipeString(appended);
  }

  // The new text must read as the old one with only those variables changed: a scanner's
  // mistake would otherwise reach another program's file.
  Result<EnvDocument> again = ParseEnvDocument(path_.string(), text, dialect_);
  bool same = again.ok();
  if (same) {
    std::vector<const EnvEntry*> before, after;
    auto mapped = [&](const std::string& key) {
      return std::any_of(places_.begin(), places_.end(), [&](const FieldVariable& p) { return p.variable == key; });
    };
    for (const EnvEntry& e : doc.entries) {
      if (!mapped(e.key)) before.push_back(&e);
    }
    for (const EnvEntry& e : again->entries) {
      if (!mapped(e.key)) after.push_back(&e);
    }
    same = before.size() == after.size();
    for (std::size_t i = 0; same && i < before.size(); ++i) {
      same = before[i]->key == after[i]->key && before[i]->value == after[i]->value && before[i]->bare == after[i]->bare;
    }
    for (const FieldVariable& p : places_) {
      const std::vector<const EnvEntry*> found = again->Find(p.variable);
      if (record == nullptr) {
        same = same && found.empty();
        continue;
      }
      auto it = record->find(p.field);
      const std::vector<const EnvEntry*> old = doc.Find(p.variable);
      if (it == record->end()) {
        same = same && found.size() == old.size() && (old.empty() || found.front()->value == old.front()->value);
      } else {
        same = same && found.size() == 1 && found.front()->value == it->second.Reveal();
      }
    }
  }
  return WriteIfReadsBack(path_, snap.identity, text, same, again.ok() ? "another variable differs" : again.status().message());
}

}  // namespace

Result<std::unique_ptr<Side>> MakeEnvFileSide(SideOptions& options) {
  SEAM_ASSIGN_OR_RETURN(std::optional<fs::path> path, options.TakePath("path", true));
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> dialect_name, options.TakeString("dialect", false));
  EnvDialect dialect = EnvDialect::kDotenv;
  if (dialect_name) {
    std::optional<EnvDialect> parsed = ParseEnvDialect(*dialect_name);
    if (!parsed) {
      return Status::InvalidArgument(options.Where(options.LineOf("dialect")) + ": key `dialect` must be \"dotenv\", "
                                     "\"systemd\" or \"docker\", not \"" + *dialect_name + "\"");
    }
    dialect = *parsed;
  }
  SEAM_ASSIGN_OR_RETURN(std::vector<FieldPlace> map, options.TakeFieldMap("variable"));
  std::vector<FieldVariable> places;
  for (FieldPlace& place : map) {
    if (!IsEnvKey(place.place, dialect)) {
      return Status::InvalidArgument(options.Where(place.line) + ": key `" + place.key + "` \"" + place.place +
                                     "\" is not a variable name a " + (dialect_name ? *dialect_name : "dotenv") +
                                     " file holds (letters, digits and _" +
                                     (dialect == EnvDialect::kSystemd ? "" : ", . and -") + ", not starting with a digit)");
    }
    for (const FieldVariable& other : places) {
      if (other.variable == place.place) {
        return Status::InvalidArgument(options.Where(place.line) + ": key `" + place.key + "` names variable " +
                                       place.place + " again (field " + other.field +
                                       "); each field needs a variable of its own");
      }
    }
    places.push_back(FieldVariable{std::move(place.field), std::move(place.place)});
  }
  SEAM_RETURN_IF_ERROR(options.RejectUnknown());
  return std::unique_ptr<Side>(std::make_unique<EnvFileSide>(std::move(*path), std::move(places), dialect));
}

}  // namespace seam
