// Certificate operations: import a chain and key, or issue a self-signed one.
#include "core/x509.h"
#include "reconcilers/certificate/certificate_events.h"
#include "reconcilers/certificate/certificate_operations.h"
#include "reconcilers/operation_steps.h"

namespace seam {
namespace {

using operation_steps::AppendThenApply;
using operation_steps::PreflightSides;
using operation_steps::Replay;

// The current certificate's leaf SHA-256, or nullptr when the seam holds none.
const std::string* CurrentLeaf(const RecordState& state) {
  if (!state.active() || state.history.empty()) return nullptr;
  const std::map<std::string, std::string>& plain = state.plain_of(state.history.back());
  auto it = plain.find("leaf_sha256");
  return it == plain.end() ? nullptr : &it->second;
}

}  // namespace

Result<OperationReport> ImportCertificate(SeamContext& ctx, const SeamConfig& seam,
                                          const CertificateRequest& request) {
  const std::string command = request.source == "self-signed" ? "seamctl cert issue" : "seamctl cert import";
  if (seam.kind != "certificate") {
    return Status::InvalidArgument("seam " + seam.name + " is a " + seam.kind + " seam; `" + command +
                                   "` is for certificate seams");
  }
  // Everything about the input is checked before the log or a side is touched.
  Result<CertificateInfo> info = ParseCertificateChain(request.chain_pem);
  if (!info.ok()) return info.status().WithContext("the certificate chain");
  Result<bool> matches = PrivateKeyMatches(request.key_pem, request.chain_pem);
  if (!matches.ok()) return matches.status().WithContext("the private key");
  if (!*matches) {
    return Status::InvalidArgument("the private key does not belong to the chain's leaf certificate (" +
                                   info->subject_cn + ", sha256 " + info->leaf_sha256.substr(0, 16) + "...)");
  }
  const std::int64_t now_s = ctx.clock.NowMicros() / 1'000'000;
  if (info->not_after <= now_s) {
    return Status::InvalidArgument("the certificate expired at " + FormatUnixTime(info->not_after) +
                                   "; refusing to record it");
  }
  SEAM_ASSIGN_OR_RETURN(RecordState state, Replay(ctx, seam));
  std::vector<std::string> warnings;
  const std::int64_t left_s = info->not_after - now_s;
  if (seam.renew_before_us > 0 && left_s * 1'000'000 <= seam.renew_before_us) {
    warnings.push_back("the certificate expires at " + FormatUnixTime(info->not_after) + " (in " + DaysText(left_s) +
                       "), inside the seam's renew_before (" + DaysText(seam.renew_before_us / 1'000'000) +
                       "): `seamctl check` will report it expiring");
  }
  // The certificate the log already holds: nothing to record (a deploy hook may run twice).
  if (const std::string* held = CurrentLeaf(state); held != nullptr && *held == info->leaf_sha256) {
    OperationReport report;
    report.seam = seam.name;
    report.operation = request.source == "self-signed" ? "cert issue" : "cert import";
    report.fingerprint = "sha256:" + held->substr(0, 16);
    report.note = "the log already holds this certificate (" + report.fingerprint + "...) as rev " +
                  std::to_string(state.revision) + "; nothing recorded";
    report.warnings = std::move(warnings);
    return report;
  }
  SEAM_RETURN_IF_ERROR(PreflightSides(seam, command + " " + seam.name));
  certificate::CertificateSet payload;
  payload.chain_pem = request.chain_pem;
  payload.leaf_sha256 = info->leaf_sha256;
  payload.not_after = info->not_after;
  payload.subject_cn = info->subject_cn;
  payload.source = request.source;
  SEAM_ASSIGN_OR_RETURN(payload.sealed_key,
                        ctx.keys.Seal(request.key_pem, SealContext(seam.stream(), state.stream_version + 1)));
  const char* type = state.active() ? certificate::kCertificateRenewed : certificate::kCertificateIssued;
  EventDraft draft{type, ctx.actor, ctx.clock.NowMicros(), certificate::Encode(payload)};
  Result<OperationReport> report = AppendThenApply(ctx, seam, std::move(state), std::move(draft),
                                                   request.source == "self-signed" ? "cert issue" : "cert import");
  if (report.ok()) report->warnings = std::move(warnings);
  return report;
}

Result<OperationReport> IssueSelfSignedCertificate(SeamContext& ctx, const SeamConfig& seam,
                                                   const std::string& common_name, int days) {
  SEAM_ASSIGN_OR_RETURN(SelfSigned made,
                        MakeSelfSignedCertificate(common_name, days, ctx.clock.NowMicros() / 1'000'000));
  CertificateRequest request{std::move(made.chain_pem), std::move(made.key_pem), "self-signed"};
  return ImportCertificate(ctx, seam, request);
}

}  // namespace seam
