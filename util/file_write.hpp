// Files that other programs read while we may be writing them (lease
// files, the real root's network drop-ins): written whole or not at all.
#pragma once

#include <string>

namespace isr::files {

/// Creates `dir` and its missing parents (mode 0755), like `mkdir -p`.
/// Throws Error(ISCSI_ERR) "WHO: cannot create directory D: reason" when a
/// component cannot be made or `dir` is not a directory.
void make_dirs(const std::string &dir, const std::string &who);

/// Writes `text` as `name` in the directory open as `dirfd` (`dir` is its
/// path, for messages), mode 0644: a temporary ".NAME.XXXXXXXX" beside it
/// (O_EXCL), fsync, then renameat(2), so a reader sees the old file or the
/// new one, never a part. Throws Error(ISCSI_ERR) "WHO: cannot write
/// DIR/NAME: reason"; the temporary file is removed on failure.
void write_atomic_at(int dirfd, const std::string &dir, const std::string &name, const std::string &text,
                     const std::string &who);

/// make_dirs(dir), then write_atomic_at() in it.
void write_atomic(const std::string &dir, const std::string &name, const std::string &text,
                  const std::string &who);

} // namespace isr::files
