#include "reconcilers/kinds.h"

#include "reconcilers/certificate/certificate_kind.h"
#include "reconcilers/pairing/pairing_kind.h"
#include "reconcilers/token/token_kind.h"

namespace seam {
namespace {

const std::vector<const KindSpec*>& All() {
  static const std::vector<const KindSpec*> all = {&token::TokenKind(), &pairing::PairingKind(),
                                                 &certificate::CertificateKind()};
  return all;
}

}  // namespace

const KindSpec* FindKindSpec(const std::string& kind) {
  for (const KindSpec* k : All()) {
    if (k->fields.kind == kind) return k;
  }
  return nullptr;
}

std::vector<KindFields> KnownKinds() {
  std::vector<KindFields> out;
  for (const KindSpec* k : All()) out.push_back(k->fields);
  return out;
}

}  // namespace seam
