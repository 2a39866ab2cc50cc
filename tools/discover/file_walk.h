#pragma once
// The files under the paths given to `seamctl discover`, each listed once however many names
// reach it. Symbolic links to files are followed (certbot's live/ links into archive/), links
// to directories only when they stay inside a root; version-control folders (.git, .hg, .svn,
// .bzr, CVS), node_modules, package managers' lock files (*.lock, package-lock.json,
// npm-shrinkwrap.json, pnpm-lock.yaml, go.sum), seam's own state and --exclude globs are passed
// over; FIFOs, sockets and devices are counted, never opened.

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"

namespace seam::discover {

struct WalkOptions {
  std::vector<std::string> roots;     // files or directories, as given
  std::vector<std::string> excludes;  // fnmatch globs, tried on the base name and on the path below the root
  std::vector<std::filesystem::path> skip;  // seam's own log, key and state directory
};

struct WalkedFile {
  std::string path;      // a name that reaches the file without a link when there is one
  std::string via_link;  // a name through a symbolic link ("" none)
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
};

struct WalkStats {
  std::size_t directories = 0;
  std::size_t excluded = 0;     // files and folders passed over by --exclude, VCS and seam's state
  std::size_t special = 0;      // FIFOs, sockets, devices
  std::size_t same_file = 0;    // further names of a file already listed (hard or symbolic links)
  std::size_t links_out = 0;    // links to directories outside the roots, not followed
  std::size_t broken_links = 0; // dangling links and link loops
};

struct WalkWarning {
  std::string path;
  std::string error;  // "permission denied", ...
};

struct Walk {
  std::vector<WalkedFile> files;  // in walk order (each directory's entries sorted by name)
  std::vector<WalkWarning> warnings;
  WalkStats stats;
};

// InvalidArgument naming the root when a root does not exist or cannot be read; anything below
// a root that cannot be read is a warning.
Result<Walk> WalkTrees(const WalkOptions& options);

}  // namespace seam::discover
