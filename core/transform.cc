#include "core/transform.h"

#include "core/crypto.h"

namespace seam {

std::optional<Transform> ParseTransform(const std::string& name) {
  if (name == "plain") return Transform::kPlain;
  if (name == "sha256-hex") return Transform::kSha256Hex;
  return std::nullopt;
}

const char* TransformName(Transform t) {
  switch (t) {
    case Transform::kPlain: return "plain";
    case Transform::kSha256Hex: return "sha256-hex";
  }
  return "plain";
}

bool TransformIsReversible(Transform t) { return t == Transform::kPlain; }

Secret ApplyTransform(Transform t, const Secret& value) {
  switch (t) {
    case Transform::kPlain: return value;
    case Transform::kSha256Hex: return Secret(Sha256Hex(value.Reveal()));
  }
  return value;
}

}  // namespace seam
