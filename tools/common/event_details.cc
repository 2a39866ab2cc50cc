#include "tools/common/event_details.h"

#include "core/clock.h"
#include "reconcilers/event_view.h"

namespace seam {
namespace {

nlohmann::ordered_json ValueOf(const ShownField& f) {
  switch (f.type) {
    case ShownField::Type::kText:
      return f.text;
    case ShownField::Type::kInt:
      return f.number;
    case ShownField::Type::kBool:
      return f.flag;
    case ShownField::Type::kTime:
      return TimeOrNull(f.number);
  }
  return nullptr;
}

}  // namespace

nlohmann::ordered_json TimeOrNull(std::int64_t us) {
  return us == 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(FormatTimeMicros(us));
}

nlohmann::ordered_json FieldsJson(const EventFields& fields) {
  nlohmann::ordered_json d = nlohmann::ordered_json::object();
  for (const ShownField& f : fields) d[f.name] = ValueOf(f);
  return d;
}

nlohmann::ordered_json EventDetails(const Event& e, const KeyRing& keys) { return FieldsJson(DescribeEventFields(e, keys)); }

}  // namespace seam
