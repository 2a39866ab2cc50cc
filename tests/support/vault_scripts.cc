#include "tests/support/vault_scripts.h"

#include "tests/support/temp_dir.h"

namespace seam::testing {

std::string VaultReadScript(const std::string& before) {
  return "#!/bin/sh\n" + before +
         "if [ -s vault.txt ]; then printf '{\"value\": \"%s\"}\\n' \"$(cat vault.txt)\"; "
         "else echo '{\"missing\": true}'; fi\n";
}

std::string VaultWriteScript() {
  return "#!/bin/sh\nsed -nE 's/.*\"value\": *\"([^\"]*)\".*/\\1/p' > vault.txt.new && mv vault.txt.new vault.txt\n";
}

void WriteVaultScripts(const std::filesystem::path& dir, const std::string& before, const std::string& prefix) {
  WriteFile(dir / (prefix + "-read.sh"), VaultReadScript(before));
  WriteFile(dir / (prefix + "-write.sh"), VaultWriteScript());
  std::filesystem::permissions(dir / (prefix + "-read.sh"), std::filesystem::perms::owner_all);
  std::filesystem::permissions(dir / (prefix + "-write.sh"), std::filesystem::perms::owner_all);
}

}  // namespace seam::testing
