// An http-json side's GET body and its `restart_marker` pointer (first line): the body through
// the JSON document parser the side uses (depth-capped), the pointer through the side's pointer
// parser, then the marker read. Checked: a marker accepted is at most kMaxRestartMarkerBytes of
// printable ASCII.
#include <string>

#include "plugins/common/json_document.h"
#include "plugins/common/json_pointer.h"
#include "plugins/http_json/restart_marker.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = seam::fuzz::AsText(data, size);
  const std::string_view pointer_text = seam::fuzz::TakeLine(in);
  seam::Result<std::vector<std::string>> tokens = seam::ParseJsonPointer(pointer_text);
  seam::Result<seam::Json> doc = seam::ParseJsonDocument("response", in);
  if (!tokens.ok() || !doc.ok()) return 0;
  seam::JsonWipeGuard wipe(*doc);
  if (tokens->empty()) return 0;
  const seam::JsonPointer pointer{std::string(pointer_text), std::move(*tokens)};
  seam::Result<seam::RestartMarker> marker = seam::ReadRestartMarker(*doc, pointer);
  if (!marker.ok()) return 0;
  if (marker->text.size() > seam::kMaxRestartMarkerBytes) seam::fuzz::FuzzFail("a marker over the size limit");
  for (const char c : marker->text) {
    if (c < 0x20 || c > 0x7e) seam::fuzz::FuzzFail("a marker with a byte that is not printable ASCII");
  }
  return 0;
}
