#include "reconcilers/kinds.h"

#include "reconcilers/certificate/certificate_kind.h"
#include "reconcilers/pairing/pairing_kind.h"
#include "reconcilers/token/token_kind.h"
#include "reconcilers/value/value_kind.h"

namespace seam {
namespace {

const std::vector<const KindSpec*>& All() {
  static const std::vector<const KindSpec*> all = {&token::TokenKind(), &pairing::PairingKind(),
                                                 &certificate::CertificateKind(), &value::ValueKind()};
  return all;
}

}  // namespace

const KindSpec* FindKindSpec(const std::string& kind) {
  for (const KindSpec* k : All()) {
    if (k->fields.kind == kind) return k;
  }
  return nullptr;
}

const KindSpec* FindKindSpec(const SeamConfig& seam) {
  if (seam.kind == "value" && !seam.secret) return &value::PlainValueKind();
  return FindKindSpec(seam.kind);
}

std::vector<KindFields> KnownKinds() {
  std::vector<KindFields> out;
  for (const KindSpec* k : All()) out.push_back(k->fields);
  return out;
}

}  // namespace seam
