#pragma once
// Which of the files the pre-scan put off are worth parsing: the ones that can be in a group or a
// near miss. The rest hold no seam and are never parsed.

#include <vector>

#include "tools/discover/file_reader.h"

namespace seam::discover {

// The put-off files to parse: a word also somewhere else (another file's word or a place already
// parsed, as it is or as its SHA-256 hex), or a sibling file (one folder apart) with a word under
// the same name (a near miss needs both parsed).
std::vector<const Deferred*> ChooseToParse(const std::vector<Deferred>& deferred, const std::vector<Share>& shares,
                                           const std::vector<WalkedFile>& files);

}  // namespace seam::discover
