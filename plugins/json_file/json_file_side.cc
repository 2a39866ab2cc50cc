#include "plugins/json_file/json_file_side.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto.h"
#include "plugins/common/atomic_file.h"
#include "plugins/common/link_policy.h"
#include "plugins/common/file_snapshot.h"
#include "plugins/common/errno_text.h"
#include "plugins/common/json_pointer.h"
#include "plugins/common/wipe.h"
#include "plugins/common/json_document.h"
#include "plugins/json_file/json_text_edit.h"

namespace seam {
namespace {

namespace fs = std::filesystem;

// One mapped field and the member that holds it.
struct FieldPointer {
  std::string field;
  JsonPointer pointer;
};

class JsonFileSide final : public Side {
 public:
  JsonFileSide(fs::path path, std::vector<FieldPointer> places)
      : path_(std::move(path)), places_(std::move(places)) {}

  using Side::Observe;
  // A file read does not wait: the deadline does not apply.
  Observation Observe(Deadline deadline) override;
  std::vector<std::string> Fields() const override {
    std::vector<std::string> out;
    for (const FieldPointer& p : places_) out.push_back(p.field);
    return out;
  }
  Status Write(const Record& record, const ChangeMarker& expected) override {
    return Modify(&record, expected);
  }
  Status Remove(const ChangeMarker& expected) override { return Modify(nullptr, expected); }
  Status CheckWritable() override;
  std::string Describe() const override;
  std::vector<fs::path> WatchPaths() const override { return {path_}; }
  std::vector<FilePlace> FilePlaces() const override {
    std::vector<FilePlace> out;
    for (const FieldPointer& p : places_) out.push_back({path_, p.pointer.text});
    return out;
  }

 private:
  // Whether every mapped member can be set and removed in `doc`: every existing object on the
  // way is an object, and an existing member is a string or null (any other value is data we
  // do not understand; replacing it could lose it). The reason for the first that cannot.
  std::optional<std::string> WhyNotModifiable(const Json& doc) const;
  // Reads and parses the file: nullopt for a missing file (the error when unreadable).
  Result<std::optional<Json>> Load(FileSnapshot& snap) const;
  // Sets the mapped members present in `record`, or removes every mapped member when `record`
  // is null, in one atomic replacement of the file.
  Status Modify(const Record* record, const ChangeMarker& expected);

  fs::path path_;
  std::vector<FieldPointer> places_;  // kind order; never empty, no member inside another
};

std::string JsonFileSide::Describe() const {
  std::string out = "json-file " + path_.string();
  if (places_.size() == 1) return out + "#" + places_.front().pointer.text;
  std::string list;
  for (const FieldPointer& p : places_) list += (list.empty() ? "" : ", ") + p.field + "=#" + p.pointer.text;
  return out + " (" + list + ")";
}

std::optional<std::string> JsonFileSide::WhyNotModifiable(const Json& doc) const {
  for (const FieldPointer& p : places_) {
    Result<const std::string*> found = FindJsonString(doc, p.pointer);
    if (!found.ok()) return path_.string() + ": " + found.status().message();
  }
  return std::nullopt;
}

Result<std::optional<Json>> JsonFileSide::Load(FileSnapshot& snap) const {
  SEAM_RETURN_IF_ERROR(ReadFileSnapshot(path_, kJsonFileMaxBytes, &snap));
  if (!snap.exists) return std::optional<Json>();
  SEAM_ASSIGN_OR_RETURN(Json doc, ParseJsonDocument(path_, snap.bytes));
  return std::optional<Json>(std::move(doc));
}

Observation JsonFileSide::Observe(Deadline /*deadline*/) {
  FileSnapshot snap;
  if (Status s = ReadFileSnapshot(path_, kJsonFileMaxBytes, &snap); !s.ok()) return Observation::Unreadable(s.message());
  if (!snap.exists) return Observation::Missing(ChangeMarker{snap.marker});
  auto unreadable = [&](std::string why) {
    Observation o = Observation::Unreadable(std::move(why));
    o.marker = ChangeMarker{snap.marker};
    o.changed_at_us = snap.mtime_us;
    return o;
  };
  Result<Json> doc = ParseJsonDocument(path_, snap.bytes);
  if (!doc.ok()) return unreadable(doc.status().message());
  JsonWipeGuard wipe(*doc);
  Record fields;
  for (const FieldPointer& p : places_) {
    Result<const std::string*> found = FindJsonString(*doc, p.pointer);
    if (!found.ok()) return unreadable(path_.string() + ": " + found.status().message());
    // A client that logged out often writes `"token": null`: that holds no value (missing, and
    // repairable), rather than something we cannot read.
    if (*found != nullptr) fields.emplace(p.field, Secret(std::string_view(**found)));
  }
  // The file is there and holds none of the fields: that is an answer (a logged-out client).
  if (fields.empty()) return Observation::Absent(ChangeMarker{snap.marker}, snap.mtime_us);
  return Observation::Value(std::move(fields), ChangeMarker{snap.marker}, snap.mtime_us);
}

Status JsonFileSide::CheckWritable() {
  // Never writes: the directory and target checks WriteFileAtomically needs, then the same
  // read, parse and walk a Write would do (a file we cannot parse faithfully is never
  // clobbered, so it cannot be written either). Every refusal is FailedPrecondition.
  SEAM_RETURN_IF_ERROR(RefuseSymlink(path_));
  SEAM_RETURN_IF_ERROR(RefuseHardLinks(path_));
  SEAM_RETURN_IF_ERROR(CheckReplaceable(path_));
  FileSnapshot snap;
  Result<std::optional<Json>> doc = Load(snap);
  if (!doc.ok()) return Status::FailedPrecondition(doc.status().message());
  if (!doc->has_value()) return Status::Ok();
  JsonWipeGuard wipe(**doc);
  if (std::optional<std::string> why = WhyNotModifiable(**doc)) return Status::FailedPrecondition(*why);
  return Status::Ok();
}

Status JsonFileSide::Modify(const Record* record, const ChangeMarker& expected) {
  const std::string shown = path_.string();
  auto refuse = [](const std::string& why) {
    return Status::FailedPrecondition(why + "; not writing");
  };
  if (Status link = RefuseSymlink(path_); !link.ok()) return Status(link.code(), link.message() + "; not writing");
  FileSnapshot snap;
  // Never clobber a file we cannot parse (invalid, duplicate keys...): it belongs to another
  // program.
  Result<std::optional<Json>> loaded = Load(snap);
  if (!loaded.ok()) return Status(loaded.status().code(), loaded.status().message() + "; not writing");
  Json doc = loaded->has_value() ? std::move(**loaded) : Json::object();
  JsonWipeGuard wipe(doc);
  // A change after this read is caught by ReplaceReadFile, which replaces only the file read (but
  // for a write through a descriptor opened before: plugins/common/atomic_file.h).
  if (ChangeMarker{snap.marker} != expected) return refuse(shown + " changed since it was observed");
  // Every mapped member, not only those written: the file is refused as a whole, as
  // CheckWritable and Observe judge it.
  if (std::optional<std::string> why = WhyNotModifiable(doc)) return refuse(*why);

  // Each value as JSON first: a value that is not UTF-8 is refused before anything changes.
  std::vector<std::optional<std::string>> encoded(places_.size());
  auto wipe_encoded = [&] {
    for (std::optional<std::string>& e : encoded) {
      if (e) WipeString(*e);
    }
  };
  for (std::size_t i = 0; i < places_.size() && record != nullptr; ++i) {
    if (auto it = record->find(places_[i].field); it != record->end()) {
      try {
        encoded[i] = Json(std::string(it->second.Reveal())).dump(-1, ' ', false, Json::error_handler_t::strict);
      } catch (const Json::type_error&) {
        wipe_encoded();
        return Status::InvalidArgument(shown + ": the value is not valid UTF-8, which a JSON string must be; not writing");
      }
    }
  }
  std::vector<bool> changed(places_.size(), false);
  bool any = false;
  for (std::size_t i = 0; i < places_.size(); ++i) {
    if (record == nullptr) {
      changed[i] = SetJsonMember(doc, places_[i].pointer, std::nullopt, JsonRemoval::kErase);
    } else if (auto it = record->find(places_[i].field); it != record->end()) {
      changed[i] = SetJsonMember(doc, places_[i].pointer, it->second.Reveal(), JsonRemoval::kErase);
    }
    any = any || changed[i];
  }
  if (!any) {
    wipe_encoded();
    return Status::Ok();  // nothing to remove, or no mapped field in the record
  }

  // Keep the file's bytes: each member edited where it is written, and the result must read as
  // the tree just computed; a file shaped otherwise (or a new one) is written whole, indented.
  std::optional<std::string> text;
  if (loaded->has_value()) {
    text = std::string(snap.bytes);
    for (std::size_t i = 0; i < places_.size() && text; ++i) {
      if (!changed[i]) continue;
      std::optional<std::string> next = EditJsonText(*text, places_[i].pointer, encoded[i]);
      WipeString(*text);
      text = std::move(next);
    }
    if (text) {
      Result<Json> again = ParseJsonDocument(path_, *text);
      const bool same = again.ok() && *again == doc;
      if (again.ok()) WipeJson(*again);
      if (!same) {
        WipeString(*text);
        text.reset();
      }
    }
  }
  wipe_encoded();
  if (!text) {
    text = doc.dump(2, ' ', false, Json::error_handler_t::strict);
    AppendWiping(*text, "\n");
  }
  Status s = ReplaceReadFile(path_, *text, snap.identity);
  WipeString(*text);
  return s;
}

// Whether `inner`'s tokens start with all of `outer`'s (equal pointers included).
bool IsWithin(const JsonPointer& inner, const JsonPointer& outer) {
  return inner.tokens.size() >= outer.tokens.size() &&
         std::equal(outer.tokens.begin(), outer.tokens.end(), inner.tokens.begin());
}

// A configured place as the config gave it, for messages: `pointer` or `fields.<name>`.
struct GivenAs {
  std::string key;
  int line = 0;
};

// One write sets every field: a member inside another's (or the same member) would overwrite
// it, or be refused as a string where an object is needed. Named at the later of the two lines.
Status RefuseOverlaps(const SideOptions& options, const std::vector<FieldPointer>& places,
                      const std::vector<GivenAs>& given) {
  for (std::size_t i = 0; i < places.size(); ++i) {
    for (std::size_t j = i + 1; j < places.size(); ++j) {
      const bool j_later = given[j].line >= given[i].line;
      const std::size_t late = j_later ? j : i, early = j_later ? i : j;
      const JsonPointer& here = places[late].pointer;
      const JsonPointer& other = places[early].pointer;
      const std::string other_at =
          "`" + given[early].key + "` (line " + std::to_string(given[early].line) + ")";
      std::string why;
      if (IsWithin(here, other) && IsWithin(other, here)) {
        why = "\"" + here.text + "\" names the same member as " + other_at;
      } else if (IsWithin(here, other)) {
        why = "\"" + here.text + "\" lies inside " + other_at + "'s \"" + other.text + "\"";
      } else if (IsWithin(other, here)) {
        why = "\"" + here.text + "\" contains " + other_at + "'s \"" + other.text + "\"";
      }
      if (!why.empty()) {
        return Status::InvalidArgument(options.Where(given[late].line) + ": key `" + given[late].key +
                                       "` " + why + "; each field needs a member of its own");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Side>> MakeJsonFileSide(SideOptions& options) {
  SEAM_ASSIGN_OR_RETURN(std::optional<fs::path> path, options.TakePath("path", true));
  SEAM_ASSIGN_OR_RETURN(std::vector<FieldPlace> map, options.TakeFieldMap("pointer"));
  std::vector<FieldPointer> places;
  std::vector<GivenAs> given;
  for (FieldPlace& place : map) {
    GivenAs as{place.key, place.line};
    Result<std::vector<std::string>> tokens = ParseJsonPointer(place.place);
    if (!tokens.ok()) {
      return Status::InvalidArgument(options.Where(as.line) + ": key `" + as.key + "` " +
                                     tokens.status().message());
    }
    given.push_back(std::move(as));
    JsonPointer pointer{std::move(place.place), std::move(tokens).value()};
    places.push_back(FieldPointer{std::move(place.field), std::move(pointer)});
  }
  SEAM_RETURN_IF_ERROR(RefuseOverlaps(options, places, given));
  SEAM_RETURN_IF_ERROR(options.RejectUnknown());
  return std::unique_ptr<Side>(std::make_unique<JsonFileSide>(std::move(*path), std::move(places)));
}

}  // namespace seam
