#include "core/fault_point.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>

namespace seam {

void FaultPoint(std::string_view name) {
  // Read every time (cheap next to the I/O around each point), so a test may set it per child.
  const char* wanted = std::getenv("SEAM_FAULT");
  if (wanted == nullptr) return;
  const std::string_view want(wanted);
  if (want.substr(0, 5) == "stop:" && want.substr(5) == name) {
    ::raise(SIGSTOP);  // a pause (an owner frozen mid-pass); SIGCONT carries on from here
    return;
  }
  if (name != want) return;
  ::kill(::getpid(), SIGKILL);
  ::_exit(137);  // not reached: SIGKILL cannot be caught
}

}  // namespace seam
