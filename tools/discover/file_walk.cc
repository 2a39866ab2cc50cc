#include "tools/discover/file_walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>
#include <utility>

#include "plugins/common/errno_text.h"

namespace seam::discover {
namespace {

namespace fs = std::filesystem;
using FileId = std::pair<dev_t, ino_t>;

// Version control, and what package managers write: lock files are full of public hashes
// (`integrity`, go.sum) repeated in every project, and node_modules is other people's code.
bool PassedOver(const std::string& name) {
  static constexpr std::string_view kNames[] = {".git", ".hg", ".svn", ".bzr", "CVS", "node_modules",
                                                "package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "go.sum"};
  for (std::string_view n : kNames)
    if (name == n) return true;
  return name.ends_with(".lock");  // Cargo.lock, poetry.lock, yarn.lock, composer.lock, Gemfile.lock
}

class Walker {
 public:
  explicit Walker(const WalkOptions& o) : options_(o) {
    for (const fs::path& p : o.skip) {
      struct stat st {};
      if (::stat(p.c_str(), &st) == 0) skip_.insert({st.st_dev, st.st_ino});
    }
    for (const std::string& root : o.roots) {
      std::error_code ec;
      const fs::path real = fs::canonical(root, ec);
      if (!ec) real_roots_.push_back(real.string());
    }
  }

  Status Root(const std::string& given) {
    std::string root = given;
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    struct stat st {};
    if (::stat(root.c_str(), &st) != 0) {
      return Status::InvalidArgument(root + ": " + ErrnoText(errno));
    }
    if (S_ISDIR(st.st_mode)) {
      if (::access(root.c_str(), R_OK | X_OK) != 0) return Status::InvalidArgument(root + ": " + ErrnoText(errno));
      Directory(root, "", st);
    } else if (S_ISREG(st.st_mode)) {
      AddFile(root, false, st);
    } else {
      return Status::InvalidArgument(root + ": not a file or directory (FIFOs, sockets and devices are never read)");
    }
    return Status::Ok();
  }

  Walk Take() { return std::move(walk_); }

 private:
  bool Excluded(const std::string& name, const std::string& rel) const {
    for (const std::string& g : options_.excludes)
      if (::fnmatch(g.c_str(), name.c_str(), 0) == 0 || ::fnmatch(g.c_str(), rel.c_str(), 0) == 0) return true;
    return false;
  }

  bool InsideRoots(const std::string& path) const {
    std::error_code ec;
    const std::string real = fs::canonical(path, ec).string();
    if (ec) return false;
    for (const std::string& r : real_roots_)
      if (real == r || (real.size() > r.size() && real.compare(0, r.size(), r) == 0 && real[r.size()] == '/')) return true;
    return false;
  }

  void AddFile(const std::string& path, bool via_link, const struct stat& st) {
    const FileId id{st.st_dev, st.st_ino};
    if (skip_.count(id)) {
      ++walk_.stats.excluded;
      return;
    }
    auto [it, fresh] = seen_.emplace(id, walk_.files.size());
    if (fresh) {
      WalkedFile f;
      (via_link ? f.via_link : f.path) = path;
      f.dev = st.st_dev;
      f.ino = st.st_ino;
      f.size = st.st_size;
      walk_.files.push_back(std::move(f));
      return;
    }
    ++walk_.stats.same_file;
    WalkedFile& f = walk_.files[it->second];
    if (via_link && f.via_link.empty()) f.via_link = path;
    if (!via_link && f.path.empty()) f.path = path;
  }

  // Depth first, entries sorted by name, so the output does not depend on the file system's order.
  void Directory(const std::string& path, const std::string& rel, const struct stat& st) {
    if (!dirs_.insert({st.st_dev, st.st_ino}).second) return;  // reached again through a link
    if (skip_.count({st.st_dev, st.st_ino})) {
      ++walk_.stats.excluded;
      return;
    }
    ++walk_.stats.directories;
    DIR* d = ::opendir(path.c_str());
    if (!d) {
      walk_.warnings.push_back({path, ErrnoText(errno)});
      return;
    }
    std::vector<std::pair<std::string, unsigned char>> entries;
    while (dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      entries.emplace_back(name, e->d_type);
    }
    const int fd = ::dirfd(d);
    std::sort(entries.begin(), entries.end());
    for (const auto& [name, type] : entries) {
      // Below "." the names are written as a person would ("app/.env", not "./app/.env").
      const std::string child = path == "/" ? "/" + name : path == "." ? name : path + "/" + name;
      const std::string child_rel = rel.empty() ? name : rel + "/" + name;
      if (PassedOver(name) || Excluded(name, child_rel)) {
        ++walk_.stats.excluded;
        continue;
      }
      struct stat cst {};
      if (::fstatat(fd, name.c_str(), &cst, AT_SYMLINK_NOFOLLOW) != 0) {
        walk_.warnings.push_back({child, ErrnoText(errno)});
        continue;
      }
      bool link = false;
      if (S_ISLNK(cst.st_mode)) {
        link = true;
        if (::fstatat(fd, name.c_str(), &cst, 0) != 0) {
          ++walk_.stats.broken_links;
          continue;
        }
      }
      if (S_ISDIR(cst.st_mode)) {
        if (link && !InsideRoots(child)) {
          ++walk_.stats.links_out;
          continue;
        }
        pending_.push_back({child, child_rel, cst});
      } else if (S_ISREG(cst.st_mode)) {
        AddFile(child, link, cst);
      } else {
        ++walk_.stats.special;
      }
    }
    ::closedir(d);
    // Sub-directories after the directory's own files, in name order.
    std::vector<Pending> mine;
    mine.swap(pending_);
    for (const Pending& p : mine) Directory(p.path, p.rel, p.st);
  }

  struct Pending {
    std::string path, rel;
    struct stat st;
  };

  const WalkOptions& options_;
  std::set<FileId> skip_;
  std::set<FileId> dirs_;
  std::map<FileId, std::size_t> seen_;
  std::vector<std::string> real_roots_;
  std::vector<Pending> pending_;
  Walk walk_;
};

}  // namespace

Result<Walk> WalkTrees(const WalkOptions& options) {
  Walker w(options);
  for (const std::string& root : options.roots) SEAM_RETURN_IF_ERROR(w.Root(root));
  Walk walk = w.Take();
  for (WalkedFile& f : walk.files)
    if (f.path.empty()) std::swap(f.path, f.via_link);  // reached only through links: that name is the file's
  return walk;
}

}  // namespace seam::discover
