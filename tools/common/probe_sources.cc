#include "tools/common/probe_sources.h"

#include "reconcilers/kinds.h"
#include "reconcilers/probe_candidates.h"
#include "store/open.h"

namespace seam {

Result<ProbeCandidates> ProbeLog::Candidates(const std::string& stream, const KindSpec& kind, Transform transform,
                                             std::size_t older) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!store_) {
    store::OpenOptions options;
    options.read_only = true;
    Result<std::unique_ptr<Store>> opened = store::Open(config_, options);
    if (!opened.ok()) return Status(opened.status().code(), "cannot read the log for the values to try: " + opened.status().message());
    store_ = std::move(opened).value();
  }
  auto [it, fresh] = states_.try_emplace(stream, kind);
  RecordState& state = it->second;
  if (Status caught_up = CatchUpKept(store_->Log(), stream, state, *keys_); !caught_up.ok()) {
    return Status(caught_up.code(), "cannot read the log for the values to try: " + caught_up.message());
  }
  return CandidatesFor(state, transform, *keys_, older);
}

void InstallProbeSources(Config& config, const std::shared_ptr<ProbeLog>& log) {
  for (SeamConfig& seam : config.seams) {
    const KindSpec* kind = FindKindSpec(seam);
    if (kind == nullptr) continue;  // the config loader refuses unknown kinds first
    for (SideConfig& side : seam.sides) {
      if (!side.side || !side.side->Probes()) continue;
      side.side->SetCandidateSource([log, stream = seam.stream(), kind, transform = side.transform](std::size_t older) {
        return log->Candidates(stream, *kind, transform, older);
      });
    }
  }
}

}  // namespace seam
