#pragma once
// The places of one value, and the near misses: what `seamctl discover` reports.
//
// Places join one group when they hold the same value (equal MACs), when one holds the lower-case
// SHA-256 hex of another's value (a `sha256-hex` side), or when a certificate's public key is a
// private key's (a certificate and its key). Near misses are the same key path in sibling files
// (paths that differ in one folder: staging/ and prod/) holding different values: drift that
// already exists, or two values that were never meant to agree; a person tells which.

#include <cstddef>
#include <string>
#include <vector>

#include "core/config.h"
#include "tools/discover/place.h"

namespace seam::discover {

struct Group {
  std::vector<std::size_t> places;  // indices into the places given, in their order
  std::vector<bool> digest;         // per entry of `places`: holds the SHA-256 hex of the group's value
  bool certificate = false;         // certificates and keys
  std::string fingerprint;          // "fp:…" of the value; a certificate's "sha256:…" detail
  std::size_t declared = 0;         // entries the config already keeps
  bool Candidate() const { return declared < places.size(); }
};

struct NearMiss {
  std::string locator;
  std::vector<std::size_t> places;  // at least two files; not all the same value
};

struct Grouping {
  std::vector<Group> groups;  // of two places or more, in the order of their first place
  std::vector<NearMiss> near_misses;
};

// Marks each place a configured side already keeps (Side::FilePlaces, compared by canonical path
// and locator) with that seam and side; a certificate beside a declared copy of itself, in the
// same folder (certbot's cert.pem beside fullchain.pem), with that copy's.
void MarkDeclared(std::vector<Place>& places, const Config& config);

Grouping GroupPlaces(const std::vector<Place>& places);

// "a/\x01/c.json" for each folder of "a/b/c.json" (folder `i` left out): files sharing one are
// siblings, one folder apart (staging/ and prod/).
std::vector<std::string> SiblingPatterns(const std::string& file);

}  // namespace seam::discover
