#include "reconcilers/event_view.h"

#include <utility>

#include "core/crypto.h"
#include "reconcilers/bookkeeping_events.h"
#include "reconcilers/drift_events.h"
#include "reconcilers/kinds.h"

namespace seam {
namespace {

// The kind a stream belongs to: "token" for "token/device-42"; nullptr when none is named.
const KindSpec* KindOfStream(const std::string& stream) {
  const std::size_t slash = stream.find('/');
  return slash == std::string::npos ? nullptr : FindKindSpec(stream.substr(0, slash));
}

}  // namespace

ShownField ShownField::Text(std::string name, std::string text) {
  ShownField f;
  f.name = std::move(name);
  f.type = Type::kText;
  f.text = std::move(text);
  return f;
}

ShownField ShownField::Int(std::string name, std::int64_t number) {
  ShownField f;
  f.name = std::move(name);
  f.type = Type::kInt;
  f.number = number;
  return f;
}

ShownField ShownField::Bool(std::string name, bool flag) {
  ShownField f;
  f.name = std::move(name);
  f.type = Type::kBool;
  f.flag = flag;
  return f;
}

ShownField ShownField::Time(std::string name, std::int64_t micros) {
  ShownField f = Int(std::move(name), micros);
  f.type = Type::kTime;
  return f;
}

const ShownField* FindShownField(const EventFields& fields, const std::string& name) {
  for (const ShownField& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string ShownText(const EventFields& fields, const std::string& name) {
  const ShownField* f = FindShownField(fields, name);
  return f != nullptr && f->type == ShownField::Type::kText ? f->text : std::string();
}

std::int64_t ShownNumber(const EventFields& fields, const std::string& name) {
  const ShownField* f = FindShownField(fields, name);
  return f != nullptr && (f->type == ShownField::Type::kInt || f->type == ShownField::Type::kTime) ? f->number : 0;
}

bool ShownFlag(const EventFields& fields, const std::string& name) {
  const ShownField* f = FindShownField(fields, name);
  return f != nullptr && f->type == ShownField::Type::kBool && f->flag;
}

EventFields DescribeEventFields(const Event& event, const KeyRing& keys) {
  if (std::optional<EventFields> f = bookkeeping::Describe(event, keys)) return std::move(*f);
  if (std::optional<EventFields> f = drift::Describe(event)) return std::move(*f);
  const KindSpec* kind = KindOfStream(event.stream);
  if (kind != nullptr && kind->describe != nullptr) {
    if (std::optional<EventFields> f = kind->describe(event, keys)) return std::move(*f);
  }
  // A type this build does not know (a newer writer's): its size is all that can be said.
  return {ShownField::Int("payload_bytes", static_cast<std::int64_t>(event.payload.size()))};
}

EventFields DecodeErrorFields(const Status& status) { return {ShownField::Text("error", status.message())}; }

std::optional<std::string> SealError(const std::string& sealed, const Event& event, const KeyRing& keys) {
  Result<Secret> value = keys.Open(sealed, SealContext(event.stream, event.version));
  if (value.ok()) return std::nullopt;
  return value.status().message();
}

void AddSealedFingerprint(EventFields& fields, const std::string& sealed, const Event& event,
                          const KeyRing& keys) {
  Result<Secret> value = keys.Open(sealed, SealContext(event.stream, event.version));
  if (value.ok()) {
    fields.push_back(ShownField::Text("fingerprint", keys.Fingerprint(*value)));
  } else {
    fields.push_back(ShownField::Text("error", value.status().message()));
  }
}

}  // namespace seam
