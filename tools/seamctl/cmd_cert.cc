// seamctl cert import|issue: record a certificate (and its sealed key), then write every side.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "core/x509.h"
#include "plugins/common/wipe.h"
#include "tools/seamctl/commands.h"

namespace seam::seamctl {
namespace {

constexpr std::size_t kMaxPemBytes = 1024 * 1024;

// Reads a PEM file given on the command line: a regular file of at most 1 MiB. Errors name the
// flag and the path, never the content.
Result<std::string> ReadPemFile(const std::string& flag, const std::string& path) {
  const std::string where = flag + " " + path;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Status::InvalidArgument(where + ": " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Status::InvalidArgument(where + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(where + ": not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > kMaxPemBytes) {
    return Status::InvalidArgument(where + ": " + std::to_string(st.st_size) + " bytes, over the 1 MiB limit");
  }
  std::string out(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t len = 0;
  while (len < out.size()) {
    ssize_t n = ::read(fd, out.data() + len, out.size() - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      WipeString(out);
      return Status::InvalidArgument(where + ": read failed: " + std::strerror(errno));
    }
    if (n == 0) break;
    len += static_cast<std::size_t>(n);
  }
  out.resize(len);
  return out;
}

}  // namespace

int RunCertImport(const GlobalOptions& g, const std::string& seam, const std::string& cert_file,
                  const std::string& key_file) {
  Result<std::string> chain = ReadPemFile("--cert", cert_file);
  if (!chain.ok()) return Fail(chain.status());
  Result<std::string> key = ReadPemFile("--key", key_file);
  if (!key.ok()) return Fail(key.status());
  CertificateRequest request{std::move(*chain), Secret(*key), "import"};
  WipeString(*key);
  // Input problems are reported with the file they came from.
  if (Status k = ValidatePrivateKeyPem(request.key_pem); !k.ok()) {
    return Fail(Status::InvalidArgument("--key " + key_file + ": " + k.message()));
  }
  Result<CertificateInfo> info = ParseCertificateChain(request.chain_pem);
  if (!info.ok()) {
    return Fail(Status::InvalidArgument("--cert " + cert_file + ": " + info.status().message()));
  }
  // ImportCertificate checks these too (it is the rule); here they can name the files.
  Result<bool> matches = PrivateKeyMatches(request.key_pem, request.chain_pem);
  if (matches.ok() && !*matches) {
    return Fail(Status::InvalidArgument("--key " + key_file + ": the private key does not belong to the leaf certificate in " +
                                        cert_file));
  }
  if (info->not_after <= static_cast<std::int64_t>(std::time(nullptr))) {
    return Fail(Status::InvalidArgument("--cert " + cert_file + ": the certificate expired at " +
                                        FormatUnixTime(info->not_after) + "; refusing to record it"));
  }
  return RunOperation(g, seam, [&](SeamContext& c, const SeamConfig& s) {
    return ImportCertificate(c, s, request);
  });
}

int RunCertIssue(const GlobalOptions& g, const std::string& seam, const std::string& common_name, int days) {
  return RunOperation(g, seam, [&](SeamContext& c, const SeamConfig& s) {
    return IssueSelfSignedCertificate(c, s, common_name, days);
  });
}

}  // namespace seam::seamctl
