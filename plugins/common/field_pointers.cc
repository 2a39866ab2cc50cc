#include "plugins/common/field_pointers.h"

namespace seam {

Result<std::vector<FieldPointer>> TakeFieldPointers(SideOptions& options) {
  SEAM_ASSIGN_OR_RETURN(std::vector<FieldPlace> map, options.TakeFieldMap("pointer"));
  std::vector<FieldPointer> places;
  for (FieldPlace& place : map) {
    Result<std::vector<std::string>> tokens = ParseJsonPointer(place.place);
    if (!tokens.ok()) {
      return Status::InvalidArgument(options.Where(place.line) + ": key `" + place.key + "` " + tokens.status().message());
    }
    for (const FieldPointer& other : places) {
      if (other.pointer.text == place.place) {
        return Status::InvalidArgument(options.Where(place.line) + ": key `" + place.key + "` names \"" + place.place +
                                       "\" again (field " + other.field + "); each field needs a place of its own");
      }
    }
    places.push_back(FieldPointer{std::move(place.field), JsonPointer{place.place, std::move(tokens).value()}});
  }
  return places;
}

std::vector<std::string> FieldNames(const std::vector<FieldPointer>& places) {
  std::vector<std::string> out;
  for (const FieldPointer& p : places) out.push_back(p.field);
  return out;
}

std::string DescribePlaces(const std::vector<FieldPointer>& places) {
  if (places.size() == 1) return "#" + places.front().pointer.text;
  std::string list;
  for (const FieldPointer& p : places) list += (list.empty() ? "" : ", ") + p.field + "=#" + p.pointer.text;
  return " (" + list + ")";
}

}  // namespace seam
