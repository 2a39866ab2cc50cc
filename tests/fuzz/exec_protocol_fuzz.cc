// What an exec side's `read` program prints on stdout, parsed as the side parses it, in the
// form its first byte picks: single ({"value": ...}) or fields (three named fields). Checked: a
// reply accepted holds only the side's fields; encoded as a `write` request (the same shapes)
// and parsed back, it is the same record.
#include <string>

#include "plugins/exec/exec_protocol.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using seam::fuzz::FuzzFail;
  if (size == 0) return 0;
  const seam::ExecFields single;
  const seam::ExecFields several{{"device_id", "token", "expires_at"}, false};
  const seam::ExecFields& fields = data[0] % 2 == 0 ? single : several;
  const std::string_view out = seam::fuzz::AsText(data + 1, size - 1);

  seam::Result<seam::ReadReply> reply = seam::ParseReadReply(out, fields);
  if (!reply.ok()) {
    if (reply.status().message().find("expected") == std::string::npos) {
      FuzzFail("an error that does not name the expected shape: " + reply.status().message());
    }
    return 0;
  }
  for (const auto& [name, value] : *reply) {
    bool known = false;
    for (const std::string& f : fields.names) known = known || f == name;
    if (!known) FuzzFail("a reply accepted with a field the side does not map");
  }
  if (reply->empty()) return 0;
  seam::Result<std::string> request = seam::EncodeWriteRequest(*reply, fields);
  if (!request.ok()) return 0;  // a value that is not UTF-8: JSON cannot carry it back
  seam::Result<seam::ReadReply> again = seam::ParseReadReply(*request, fields);
  if (!again.ok()) FuzzFail("a write request does not parse as a reply: " + again.status().message());
  if (again->size() != reply->size()) FuzzFail("a reply re-encoded has other fields");
  for (const auto& [name, value] : *reply) {
    const auto it = again->find(name);
    if (it == again->end() || !it->second.Equals(value)) FuzzFail("a reply re-encoded has another value");
  }
  return 0;
}
