#include "plugins/pem_file/pem_file_side.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/x509.h"
#include "plugins/common/atomic_file.h"
#include "plugins/common/file_snapshot.h"
#include "plugins/common/link_policy.h"

namespace seam {
namespace {

namespace fs = std::filesystem;

constexpr mode_t kChainMode = 0644;  // a certificate chain is public

// Both files as read now, and the marker of the pair.
struct PairSnapshot {
  FileSnapshot cert;
  FileSnapshot key;
  ChangeMarker marker() const { return ChangeMarker{"pem:" + cert.marker + "|" + key.marker}; }
  std::int64_t changed_at_us() const { return std::max(cert.mtime_us, key.mtime_us); }
};

class PemFileSide final : public Side {
 public:
  PemFileSide(fs::path cert_path, fs::path key_path, mode_t key_mode)
      : cert_path_(std::move(cert_path)), key_path_(std::move(key_path)), key_mode_(key_mode) {}

  using Side::Observe;
  // A file read does not wait: the deadline does not apply.
  Observation Observe(Deadline deadline) override;
  std::vector<std::string> Fields() const override { return {"leaf_sha256", "not_after", "key_matches"}; }
  Status Write(const Record& record, const ChangeMarker& expected) override;
  Status Remove(const ChangeMarker& expected) override;
  Status CheckWritable() override;
  std::string Describe() const override {
    return "pem-file " + cert_path_.string() + " (key " + key_path_.string() + ")";
  }
  std::vector<fs::path> WatchPaths() const override { return {cert_path_, key_path_}; }
  std::vector<FilePlace> FilePlaces() const override { return {{cert_path_, "certificate"}, {key_path_, "private key"}}; }

 private:
  Status Read(PairSnapshot* snap) const {
    SEAM_RETURN_IF_ERROR(ReadFileSnapshot(cert_path_, kPemFileMaxBytes, &snap->cert));
    return ReadFileSnapshot(key_path_, kPemFileMaxBytes, &snap->key);
  }
  // Re-reads both files into `snap`; FailedPrecondition when they differ from `expected`.
  Status Unchanged(const ChangeMarker& expected, PairSnapshot* snap) const;

  fs::path cert_path_;
  fs::path key_path_;
  mode_t key_mode_;
};

Observation PemFileSide::Observe(Deadline /*deadline*/) {
  PairSnapshot snap;
  if (Status s = Read(&snap); !s.ok()) return Observation::Unreadable(s.message());
  if (!snap.cert.exists && !snap.key.exists) return Observation::Missing(snap.marker());
  // Unreadable observations keep the marker, so a caller may still replace a half-present or
  // corrupt pair under compare-and-swap.
  auto unreadable = [&snap](std::string why) {
    Observation o = Observation::Unreadable(std::move(why));
    o.marker = snap.marker();
    o.changed_at_us = snap.changed_at_us();
    return o;
  };
  if (!snap.key.exists) {
    return unreadable(key_path_.string() + " is missing, but its certificate " + cert_path_.string() + " exists");
  }
  if (!snap.cert.exists) {
    return unreadable(cert_path_.string() + " is missing, but its key " + key_path_.string() + " exists");
  }
  Result<CertificateInfo> info = ParseCertificateChain(snap.cert.bytes);
  if (!info.ok()) return unreadable(cert_path_.string() + ": " + info.status().message());
  // Moves the buffer (no copy); the snapshot's destructor wipes what is left of it.
  Secret key(std::move(snap.key.bytes));
  Result<bool> matches = PrivateKeyMatches(key, snap.cert.bytes);
  // The chain parsed above, so an error here is about the key.
  if (!matches.ok()) return unreadable(key_path_.string() + ": " + matches.status().message());

  Record fields;
  fields.emplace("leaf_sha256", Secret(info->leaf_sha256));
  fields.emplace("not_after", Secret(std::to_string(info->not_after)));
  fields.emplace("key_matches", Secret(std::string(*matches ? "true" : "false")));
  // Carried, not compared (not in Fields()): what an adoption records and what a write over a
  // foreign pair keeps sealed in the log.
  fields.emplace("chain", Secret(std::move(snap.cert.bytes)));
  std::string rest;
  for (const std::string& sha : info->rest_sha256) rest += (rest.empty() ? "" : ",") + sha;
  fields.emplace("chain_rest_sha256", Secret(rest));
  if (info->rest_not_after != 0) fields.emplace("chain_not_after", Secret(std::to_string(info->rest_not_after)));
  fields.emplace("key", std::move(key));
  return Observation::Value(std::move(fields), snap.marker(), snap.changed_at_us());
}

Status PemFileSide::Unchanged(const ChangeMarker& expected, PairSnapshot* snap) const {
  for (const fs::path* p : {&cert_path_, &key_path_}) {
    if (Status link = RefuseSymlink(*p); !link.ok()) return Status(link.code(), link.message() + "; not writing");
  }
  if (Status s = Read(snap); !s.ok()) return Status(s.code(), s.message() + "; not writing");
  if (snap->marker() != expected) {
    return Status::FailedPrecondition(Describe() + " changed since it was observed; not writing");
  }
  return Status::Ok();
}

Status PemFileSide::Write(const Record& record, const ChangeMarker& expected) {
  auto chain = record.find("chain");
  auto key = record.find("key");
  if (chain == record.end() || key == record.end()) {
    return Status::FailedPrecondition(Describe() + ": a write needs the record's `chain` and `key`, and it has no `" +
                                      (chain == record.end() ? "chain" : "key") + "`; not writing");
  }
  // Validated before anything is read or written: bad input never half-applies.
  Result<CertificateInfo> info = ParseCertificateChain(chain->second.Reveal());
  if (!info.ok()) {
    return Status::InvalidArgument(Describe() + ": the chain to write: " + info.status().message() + "; not writing");
  }
  Result<bool> matches = PrivateKeyMatches(key->second, chain->second.Reveal());
  if (!matches.ok()) {
    return Status::InvalidArgument(Describe() + ": the key to write: " + matches.status().message() + "; not writing");
  }
  if (!*matches) {
    return Status::InvalidArgument(Describe() + ": the key to write is not the private key of the chain's leaf "
                                   "certificate; not writing");
  }
  PairSnapshot snap;
  SEAM_RETURN_IF_ERROR(Unchanged(expected, &snap));
  // A change after this read is caught by ReplaceReadFile, which replaces only the files read
  // (but for a write through a descriptor opened before: plugins/common/atomic_file.h).

  // Key first, chain second: see the header. If the key write fails nothing changed (or, for a
  // failed directory fsync, the new key is in place beside the old chain, as after a crash).
  SEAM_RETURN_IF_ERROR(ReplaceReadFile(key_path_, key->second.Reveal(), snap.key.identity, key_mode_));
  Status s = ReplaceReadFile(cert_path_, chain->second.Reveal(), snap.cert.identity, kChainMode);
  if (!s.ok()) {
    return Status(s.code(), s.message() + " (the key " + key_path_.string() +
                                " was already replaced: the pair does not match until the write is repeated)");
  }
  return Status::Ok();
}

Status PemFileSide::Remove(const ChangeMarker& expected) {
  PairSnapshot snap;
  SEAM_RETURN_IF_ERROR(Unchanged(expected, &snap));
  // The chain first, like Write: the fingerprint goes before the key it needs. Each removal
  // fsyncs its directory.
  SEAM_RETURN_IF_ERROR(RemoveReadFile(cert_path_, snap.cert.identity));
  Status s = RemoveReadFile(key_path_, snap.key.identity);
  if (!s.ok()) return Status(s.code(), s.message() + " (the chain " + cert_path_.string() + " was already removed)");
  return Status::Ok();
}

Status PemFileSide::CheckWritable() {
  SEAM_RETURN_IF_ERROR(RefuseSymlink(cert_path_));
  SEAM_RETURN_IF_ERROR(RefuseSymlink(key_path_));
  SEAM_RETURN_IF_ERROR(RefuseHardLinks(cert_path_));
  SEAM_RETURN_IF_ERROR(RefuseHardLinks(key_path_));
  SEAM_RETURN_IF_ERROR(CheckReplaceable(cert_path_));
  return CheckReplaceable(key_path_);
}

// "0600", "600", "0640": octal, at most 0777, nothing for others.
Result<mode_t> TakeKeyMode(SideOptions& options) {
  SEAM_ASSIGN_OR_RETURN(std::optional<std::string> text, options.TakeString("key_mode", false));
  if (!text) return mode_t{0600};
  const std::string where = options.Where(options.LineOf("key_mode")) + ": key `key_mode` ";
  const std::string& t = *text;
  if (t.size() < 3 || t.size() > 4 || !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '7'; }) ||
      (t.size() == 4 && t[0] != '0')) {
    return Status::InvalidArgument(where + "must be an octal file mode such as \"0600\", got \"" + t + "\"");
  }
  mode_t mode = 0;
  for (char c : t) mode = static_cast<mode_t>(mode * 8 + static_cast<mode_t>(c - '0'));
  if ((mode & 0007) != 0) {
    return Status::InvalidArgument(where + "\"" + t + "\" gives others access to the private key; use e.g. \"0600\" or \"0640\"");
  }
  return mode;
}

}  // namespace

Result<std::unique_ptr<Side>> MakePemFileSide(SideOptions& options) {
  // `plugin` itself is not among the options, so the table's line is the closest one.
  if (options.kind().kind != "certificate") {
    return Status::InvalidArgument(options.Where() + ": plugin `pem-file` holds a certificate and its key; it is for "
                                   "seams of kind `certificate`, not `" + options.kind().kind + "`");
  }
  SEAM_ASSIGN_OR_RETURN(std::optional<fs::path> cert_path, options.TakePath("cert_path", true));
  SEAM_ASSIGN_OR_RETURN(std::optional<fs::path> key_path, options.TakePath("key_path", true));
  if (*cert_path == *key_path) {
    return Status::InvalidArgument(options.Where(options.LineOf("key_path")) +
                                   ": key `key_path` names the same file as `cert_path` (line " +
                                   std::to_string(options.LineOf("cert_path")) +
                                   "); the key must be a file of its own");
  }
  SEAM_ASSIGN_OR_RETURN(mode_t key_mode, TakeKeyMode(options));
  SEAM_RETURN_IF_ERROR(options.RejectUnknown());
  return std::unique_ptr<Side>(std::make_unique<PemFileSide>(std::move(*cert_path), std::move(*key_path), key_mode));
}

}  // namespace seam
