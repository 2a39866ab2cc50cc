#pragma once
// The GRANTs docs/log-format.md "Least privilege" tells an administrator to run for seam's
// agents, read from that file, so the tests of a least-privilege role run what the document
// says and a table added without its GRANT fails them.

#include <string>

namespace seam::testing {

// The ```sql block under "### Least privilege", with the role `seam_agent` renamed to `role`;
// "" when the file or the block cannot be found (the test's psql then fails, naming nothing
// granted).
std::string DocumentedGrants(const std::string& role);

}  // namespace seam::testing
