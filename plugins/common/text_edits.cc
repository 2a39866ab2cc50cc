#include "plugins/common/text_edits.h"

#include <algorithm>

#include "plugins/common/atomic_file.h"
#include "plugins/common/wipe.h"

namespace seam {

std::optional<std::string> ApplyTextEdits(std::string_view bytes, std::vector<TextEdit>& edits) {
  std::stable_sort(edits.begin(), edits.end(), [](const TextEdit& a, const TextEdit& b) { return a.begin < b.begin; });
  std::string out;
  std::size_t at = 0;
  for (TextEdit& e : edits) {
    if (e.begin < at || e.end < e.begin || e.end > bytes.size()) {
      for (TextEdit& rest : edits) WipeString(rest.text);
      WipeString(out);
      return std::nullopt;
    }
    AppendWiping(out, bytes.substr(at, e.begin - at));
    AppendWiping(out, e.text);
    WipeString(e.text);
    at = e.end;
  }
  AppendWiping(out, bytes.substr(at));
  return out;
}

Status WriteIfReadsBack(const std::filesystem::path& path, const FileIdentity& read, std::string& edited,
                        bool reads_back, const std::string& why) {
  if (!reads_back) {
    WipeString(edited);
    return Status::Internal(path.string() + ": the edited file would not read back as the old one with only the value "
                            "changed (" + why + "); not writing");
  }
  Status s = ReplaceReadFile(path, edited, read);
  WipeString(edited);
  return s;
}

}  // namespace seam
