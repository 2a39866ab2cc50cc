#include "tools/discover/text_extract.h"

#include <string>
#include <vector>

#include "plugins/common/json_document.h"
#include "plugins/common/json_pointer.h"
#include "plugins/env_file/env_document.h"
#include "plugins/toml_file/toml_document.h"
#include "plugins/yaml_file/yaml_document.h"

namespace seam::discover {
namespace {

void WalkJson(const Json& j, std::string& pointer, std::string_view key, const SpotFn& fn) {
  if (j.is_string()) {
    fn(Spot{pointer, key, j.get_ref<const std::string&>(), 0});
  } else if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      const std::size_t keep = pointer.size();
      pointer += '/';
      pointer += EscapeJsonPointerToken(k);
      WalkJson(v, pointer, k, fn);
      pointer.resize(keep);
    }
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) {
      const std::size_t keep = pointer.size();
      pointer += '/' + std::to_string(i);
      WalkJson(j[i], pointer, key, fn);
      pointer.resize(keep);
    }
  }
}

// Scalars a yaml-file side could write: not an alias, not anchored (other places refer to
// it), not tagged (`!secret`).
void WalkYaml(const YamlNode& n, std::string& pointer, std::string_view key, int document, const SpotFn& fn) {
  if (n.anchor_id != 0) return;
  switch (n.kind) {
    case YamlNode::Kind::kScalar:
      if (n.tag == "?" || n.tag == "!") fn(Spot{pointer, key, n.value, document});
      return;
    case YamlNode::Kind::kMapping:
      for (std::size_t i = 0; i + 1 < n.items.size(); i += 2) {
        const YamlNode& k = n.items[i];
        if (k.kind != YamlNode::Kind::kScalar || k.value == "<<") continue;
        const std::size_t keep = pointer.size();
        pointer += '/';
        pointer += EscapeJsonPointerToken(k.value);
        WalkYaml(n.items[i + 1], pointer, k.value, document, fn);
        pointer.resize(keep);
      }
      return;
    case YamlNode::Kind::kSequence:
      for (std::size_t i = 0; i < n.items.size(); ++i) {
        const std::size_t keep = pointer.size();
        pointer += '/' + std::to_string(i);
        WalkYaml(n.items[i], pointer, key, document, fn);
        pointer.resize(keep);
      }
      return;
    default:
      return;
  }
}

// Strings in tables, and in arrays of tables (the only arrays a toml-file pointer walks).
void WalkToml(const toml::table& t, std::string& pointer, const SpotFn& fn) {
  for (auto&& [k, node] : t) {
    const std::size_t keep = pointer.size();
    pointer += '/';
    pointer += EscapeJsonPointerToken(k.str());
    if (const auto* s = node.as_string()) {
      fn(Spot{pointer, k.str(), s->get(), 0});
    } else if (const auto* sub = node.as_table()) {
      WalkToml(*sub, pointer, fn);
    } else if (const auto* a = node.as_array(); a && a->is_array_of_tables()) {
      for (std::size_t i = 0; i < a->size(); ++i) {
        const std::size_t inner = pointer.size();
        pointer += '/' + std::to_string(i);
        WalkToml(*a->get(i)->as_table(), pointer, fn);
        pointer.resize(inner);
      }
    }
    pointer.resize(keep);
  }
}

}  // namespace

Status VisitJson(std::string_view file, std::string_view bytes, const SpotFn& fn) {
  Result<Json> doc = ParseJsonDocument(std::string(file), bytes);
  if (!doc.ok()) return doc.status();
  JsonWipeGuard wipe(*doc);
  std::string pointer;
  WalkJson(*doc, pointer, "", fn);
  return Status::Ok();
}

Result<int> VisitYaml(std::string_view file, std::string_view bytes, const SpotFn& fn) {
  Result<std::vector<YamlNode>> docs = ParseYamlDocuments(file, bytes);
  if (!docs.ok()) return docs.status();
  for (std::size_t d = 0; d < docs->size(); ++d) {
    std::string pointer = d > 0 ? "#" + std::to_string(d) : "";
    WalkYaml((*docs)[d], pointer, "", static_cast<int>(d), fn);
  }
  for (YamlNode& n : *docs) WipeYaml(n);
  return static_cast<int>(docs->size());
}

Status VisitToml(std::string_view file, std::string_view bytes, const SpotFn& fn) {
  Result<toml::table> doc = ParseTomlDocument(file, bytes);
  if (!doc.ok()) return doc.status();
  TomlWipeGuard wipe{*doc};
  std::string pointer;
  WalkToml(*doc, pointer, fn);
  return Status::Ok();
}

Status VisitEnv(std::string_view file, std::string_view bytes, const SpotFn& fn) {
  Result<EnvDocument> doc = ParseEnvDocument(file, bytes, EnvDialect::kDotenv);
  if (!doc.ok()) return doc.status();
  for (const EnvEntry& e : doc->entries)
    if (!e.bare) fn(Spot{e.key, e.key, e.value, 0});
  return Status::Ok();
}

}  // namespace seam::discover
