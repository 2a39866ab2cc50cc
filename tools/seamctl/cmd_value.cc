// seamctl value set|unset: the value kind's operations. Where the value comes from is the
// caller's choice, and a secret never comes from the command line (`ps` shows it to everyone).
#include <fcntl.h>
#include <sys/stat.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "reconcilers/value/value_operations.h"
#include "tools/common/state_context.h"
#include "tools/seamctl/commands.h"

namespace seam::seamctl {
namespace {

// Everything readable from `fd`, at most kMaxValueBytes (one more is "too large"); one final line
// break (an editor's, or echo's) is not part of the value.
Result<Secret> ReadValue(int fd, const std::string& what) {
  std::string bytes;
  char buf[4096];
  while (bytes.size() <= kMaxValueBytes) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::InvalidArgument(what + ": " + std::strerror(errno));
    if (n == 0) break;
    bytes.append(buf, static_cast<std::size_t>(n));
  }
  if (bytes.size() > kMaxValueBytes) {
    OPENSSL_cleanse(bytes.data(), bytes.size());
    return Status::InvalidArgument(what + " holds more than " + std::to_string(kMaxValueBytes / 1024) +
                                   " KiB; a value is at most that");
  }
  if (!bytes.empty() && bytes.back() == '\n') bytes.pop_back();
  if (!bytes.empty() && bytes.back() == '\r') bytes.pop_back();
  return Secret(std::move(bytes));
}

Result<Secret> ReadValueFile(const std::string& path) {
  // O_NONBLOCK: a FIFO in its place must not hang the command; anything but a regular file is
  // refused before reading.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return Status::InvalidArgument("--from-file " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument("--from-file " + path + " is not a regular file");
  }
  Result<Secret> value = ReadValue(fd, "--from-file " + path);
  ::close(fd);
  return value;
}

}  // namespace

int RunValueSet(const GlobalOptions& g, const std::string& seam_name, const ValueInput& input) {
  const int sources = (input.value ? 1 : 0) + (input.from_file.empty() ? 0 : 1) + (input.from_stdin ? 1 : 0) +
                      (input.generate ? 1 : 0);
  if (sources != 1) {
    return Fail(Status::InvalidArgument("value set " + seam_name +
                                        ": give exactly one of --value, --from-file, --stdin and --generate"));
  }
  std::optional<Secret> given;
  if (input.value) {
    // The config decides whether the value is secret: read it before trusting the command line.
    Result<std::unique_ptr<StateContext>> ctx = OpenState(g.config);
    if (!ctx.ok()) return Fail(ctx.status());
    Result<const SeamConfig*> seam = (*ctx)->FindSeam(seam_name);
    if (!seam.ok()) return Fail(seam.status());
    if ((*seam)->secret) {
      return Fail(Status::InvalidArgument("seam " + seam_name + " keeps a secret value: --value would show it to "
                                          "every user through `ps`; use --from-file, --stdin or --generate "
                                          "(or secret = \"false\" for a plain config value)"));
    }
    given = Secret(std::string_view(*input.value));
  } else if (!input.from_file.empty()) {
    Result<Secret> read = ReadValueFile(input.from_file);
    if (!read.ok()) return Fail(read.status());
    given = std::move(*read);
  } else if (input.from_stdin) {
    Result<Secret> read = ReadValue(STDIN_FILENO, "standard input");
    if (!read.ok()) return Fail(read.status());
    given = std::move(*read);
  }
  return RunOperation(g, seam_name, [&](SeamContext& c, const SeamConfig& s) { return SetValue(c, s, given); });
}

int RunValueUnset(const GlobalOptions& g, const std::string& seam, const std::string& reason) {
  return RunOperation(g, seam, [&](SeamContext& c, const SeamConfig& s) { return UnsetValue(c, s, reason); });
}

}  // namespace seam::seamctl
