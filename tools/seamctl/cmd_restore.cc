// seamctl restore SEAM --event SEQ --to DIR: writes a certificate pair the log keeps (what a
// repair wrote over, or one of the seam's own versions) as DIR/chain.pem and DIR/key.pem.
// Never over an existing file, never printing key material.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string_view>

#include "plugins/common/atomic_file.h"
#include "reconcilers/certificate/certificate_restore.h"
#include "tools/common/state_context.h"
#include "tools/seamctl/commands.h"

namespace seam::seamctl {
namespace {

namespace fs = std::filesystem;

// Creates `path` (which must not exist; a symlink there counts as existing) with exactly `mode`,
// writes `bytes` and fsyncs it.
Status CreateNew(const fs::path& path, std::string_view bytes, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return Status::IoError(path.string() + ": cannot create: " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::fchmod(fd, mode) != 0) return Status::IoError(path.string() + ": chmod: " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError(path.string() + ": write failed: " + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return Status::IoError(path.string() + ": fsync failed: " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace

int RunRestore(const GlobalOptions& g, const std::string& seam_name, std::int64_t seq, const std::string& dir_arg) {
  Result<std::unique_ptr<StateContext>> opened =
      OpenState(g.config, OpenMode{.key = true, .read_only = true, .only_seam = seam_name, .agent = {}, .all_sides = false});
  if (!opened.ok()) return Fail(opened.status());
  StateContext& ctx = **opened;
  Result<const SeamConfig*> seam = ctx.FindSeam(seam_name);
  if (!seam.ok()) return Fail(seam.status());

  // Nothing is read from the log before the destination is known to be free.
  const fs::path dir(dir_arg);
  const fs::path chain_file = dir / "chain.pem";
  const fs::path key_file = dir / "key.pem";
  std::error_code ec;
  for (const fs::path& p : {chain_file, key_file}) {
    if (fs::symlink_status(p, ec).type() != fs::file_type::not_found) {
      return Fail(Status::InvalidArgument(p.string() + " exists; restore writes new files only (choose another --to)"));
    }
  }
  Result<KeptPair> kept = KeptCertificate(ctx.log(), *ctx.keys, **seam, seq);
  if (!kept.ok()) return Fail(kept.status().WithContext("seam " + seam_name));

  if (!fs::exists(dir, ec)) {
    if (::mkdir(dir.c_str(), 0700) != 0) {
      return Fail(Status::IoError(dir.string() + ": cannot create the directory: " + std::strerror(errno)));
    }
  }
  if (Status s = CreateNew(chain_file, kept->chain_pem, 0644); !s.ok()) return Fail(s);
  if (Status s = CreateNew(key_file, kept->key_pem.Reveal(), 0600); !s.ok()) {
    return Fail(Status(s.code(), s.message() + " (" + chain_file.string() + " was written)"));
  }
  if (Status s = FsyncDirectory(dir); !s.ok()) return Fail(s);
  std::cout << seam_name << ": restored " << kept->what << " (sha256:" << kept->leaf_sha256.substr(0, 16)
            << "...) to " << chain_file.string() << " and " << key_file.string() << " (mode 0600)\n";
  return 0;
}

}  // namespace seam::seamctl
