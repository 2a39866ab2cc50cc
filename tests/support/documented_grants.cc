#include "tests/support/documented_grants.h"

#include <cctype>
#include <fstream>
#include <iterator>

namespace seam::testing {

std::string DocumentedGrants(const std::string& role) {
  std::ifstream in(std::string(SEAM_SOURCE_DIR) + "/docs/log-format.md");
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t section = doc.find("### Least privilege");
  if (section == std::string::npos) return "";
  const std::size_t open = doc.find("```sql\n", section);
  if (open == std::string::npos) return "";
  const std::size_t begin = open + 7;
  const std::size_t end = doc.find("```", begin);
  if (end == std::string::npos) return "";
  std::string sql = doc.substr(begin, end - begin);
  const std::string from = "seam_agent";
  for (std::size_t at = sql.find(from); at != std::string::npos; at = sql.find(from, at + role.size())) {
    // Only the role, not a longer identifier that starts with its name.
    const std::size_t after = at + from.size();
    const bool whole = after >= sql.size() || !(std::isalnum(static_cast<unsigned char>(sql[after])) || sql[after] == '_');
    const bool starts = at == 0 || !(std::isalnum(static_cast<unsigned char>(sql[at - 1])) || sql[at - 1] == '_');
    if (whole && starts) {
      sql.replace(at, from.size(), role);
    } else {
      at += from.size() - role.size();
    }
  }
  return sql;
}

}  // namespace seam::testing
