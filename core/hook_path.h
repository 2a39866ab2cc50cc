#pragma once
// The PATH of every program seam starts (on_repair hooks, exec sides): the top-level config key
// `hook_path`, or this default. It includes the sbin directories, where Debian keeps the
// servers seam reloads (/usr/sbin/nginx): a hook that works from root's shell works here.

namespace seam {

inline constexpr char kDefaultHookPath[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

}  // namespace seam
