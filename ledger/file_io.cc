#include "ledger/file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace vellum {
namespace ledger {
namespace {

absl::Status ErrnoError(absl::string_view what, absl::string_view path, int err) {
  std::string message = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  if (err == EEXIST) return absl::AlreadyExistsError(message);
  if (err == ENOENT) return absl::NotFoundError(message);
  return absl::UnavailableError(message);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ > STDERR_FILENO) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// "<what> <path>", and the resolved path when it differs, as the messages about a file name it.
std::string Named(absl::string_view what, absl::string_view path, absl::string_view resolved) {
  std::string name = absl::StrCat(what, " ", path);
  if (resolved != path) absl::StrAppend(&name, " (resolved ", resolved, ")");
  return name;
}

// `path`'s target with every symlink followed, and its attributes.
absl::Status Resolve(absl::string_view what, const std::string& path, std::string* resolved,
                     struct stat* st) {
  std::unique_ptr<char, decltype(&free)> real(realpath(path.c_str(), nullptr), &free);
  if (real == nullptr) return ErrnoError(absl::StrCat("cannot resolve ", what), path, errno);
  *resolved = real.get();
  if (stat(resolved->c_str(), st) != 0) {
    return ErrnoError(absl::StrCat("cannot stat ", what), *resolved, errno);
  }
  return absl::OkStatus();
}

// Checks `path` as CheckPrivateStat does, for this process's user and groups, once it has
// resolved to a directory (`directory`) or a regular file.
absl::Status CheckPrivate(absl::string_view what, const std::string& path, bool directory) {
  std::string resolved;
  struct stat st;
  if (absl::Status s = Resolve(what, path, &resolved, &st); !s.ok()) return s;
  if (directory ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(
        Named(what, path, resolved), " is not a ", directory ? "directory" : "regular file"));
  }
  std::vector<gid_t> groups(1, getegid());
  const int count = getgroups(0, nullptr);
  if (count > 0) {
    groups.resize(1 + static_cast<size_t>(count));
    const int got = getgroups(count, groups.data() + 1);
    groups.resize(1 + static_cast<size_t>(std::max(got, 0)));
  }
  return CheckPrivateStat(what, path, resolved, st, geteuid(), groups);
}

}  // namespace

absl::StatusOr<std::string> ReadInput(absl::string_view path, size_t max_bytes) {
  const bool is_stdin = path == "-";
  std::string name = is_stdin ? "standard input" : std::string(path);
  Fd fd(is_stdin ? STDIN_FILENO : open(name.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoError("cannot open", name, errno);
  std::string data;
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = read(fd.get(), buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("cannot read", name, errno);
    }
    if (n == 0) break;
    if (data.size() + static_cast<size_t>(n) > max_bytes) {
      return absl::OutOfRangeError(
          absl::StrCat(name, " is longer than the limit of ", max_bytes, " bytes"));
    }
    data.append(buffer, static_cast<size_t>(n));
  }
  return data;
}

absl::Status WriteNewFile(absl::string_view path, absl::string_view contents, mode_t mode) {
  std::string name(path);
  Fd fd(open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) return ErrnoError("cannot create", name, errno);
  // A file that could not be written whole is removed, not left half-written.
  auto fail = [&](absl::string_view what) {
    absl::Status status = ErrnoError(what, name, errno);
    unlink(name.c_str());
    return status;
  };
  // The umask may have cleared bits; set exactly what was asked for.
  if (fchmod(fd.get(), mode) != 0) return fail("cannot chmod");
  while (!contents.empty()) {
    ssize_t n = write(fd.get(), contents.data(), contents.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    contents.remove_prefix(static_cast<size_t>(n));
  }
  if (fsync(fd.get()) != 0) return fail("cannot sync");
  return absl::OkStatus();
}

absl::Status SyncParentDirectory(absl::string_view path) {
  const size_t slash = path.find_last_of('/');
  const std::string dir = slash == absl::string_view::npos ? "."
                          : slash == 0                     ? "/"
                                                           : std::string(path.substr(0, slash));
  Fd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoError("cannot open directory", dir, errno);
  if (fsync(fd.get()) != 0) return ErrnoError("cannot sync directory", dir, errno);
  return absl::OkStatus();
}

bool PathExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

absl::StatusOr<std::string> ReadTokenFile(const absl::optional<std::string>& path) {
  if (!path.has_value()) return std::string();
  absl::StatusOr<std::string> contents = ReadInput(*path, 4096);
  if (!contents.ok()) return contents.status();
  absl::string_view token = absl::StripAsciiWhitespace(*contents);
  if (token.empty() || token.find_first_of(" \t\r\n") != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--token-file ", *path, ": want exactly one token on one line"));
  }
  return std::string(token);
}

absl::Status CheckPrivateFile(absl::string_view what, const std::string& path) {
  return CheckPrivate(what, path, /*directory=*/false);
}

absl::Status CheckPrivateDirectory(absl::string_view what, const std::string& path) {
  return CheckPrivate(what, path, /*directory=*/true);
}

absl::Status CheckPrivateStat(absl::string_view what, absl::string_view path,
                              absl::string_view resolved, const struct stat& st, uid_t uid,
                              absl::Span<const gid_t> groups) {
  const std::string name = Named(what, path, resolved);
  const mode_t mode = st.st_mode & 07777;
  auto refuse = [&](absl::string_view problem, absl::string_view fix) {
    return absl::FailedPreconditionError(
        absl::StrCat(name, " ", problem, ": ", fix, " ", resolved));
  };
  if (S_ISDIR(st.st_mode)) {
    if (st.st_uid != uid) {
      return refuse(absl::StrCat("is owned by uid ", st.st_uid, ", want uid ", uid,
                                 " (the user this process runs as)"),
                    absl::StrCat("chown ", uid));
    }
    if ((mode & 0077) != 0) {
      return refuse(absl::StrFormat("has mode %04o, want 0700 (no group or other access)", mode),
                    "chmod 700");
    }
    return absl::OkStatus();
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(name, " is neither a regular file nor a directory"));
  }
  if (st.st_uid != uid && st.st_uid != 0) {
    return refuse(absl::StrCat("is owned by uid ", st.st_uid, ", want uid ", uid,
                               " (the user this process runs as) or root"),
                  absl::StrCat("chown ", uid));
  }
  // A process that is not root can read a file root owns only through its group or as other:
  // the group is allowed when the process runs in it (Kubernetes' fsGroup).
  const bool through_group = st.st_uid == 0 && uid != 0;
  const bool our_group = std::find(groups.begin(), groups.end(), st.st_gid) != groups.end();
  if (through_group && our_group) {
    if ((mode & 0037) != 0) {
      return refuse(absl::StrFormat("has mode %04o, want no other access and at most read for "
                                    "its group %d",
                                    mode, st.st_gid),
                    absl::StrFormat("chmod %03o", mode & 0740));
    }
    return absl::OkStatus();
  }
  if ((mode & 0077) != 0) {
    if (through_group) {
      return refuse(absl::StrFormat("has mode %04o and group %d, which this process (uid %d) "
                                    "does not run in; want no group or other access, or read "
                                    "for a group of this process",
                                    mode, st.st_gid, uid),
                    absl::StrFormat("chgrp %d %s && chmod %03o", groups.empty() ? 0 : groups[0],
                                    resolved, (mode & 0700) | 0040));
    }
    return refuse(absl::StrFormat("has mode %04o, want no group or other access", mode),
                  absl::StrFormat("chmod %03o", mode & 0700));
  }
  return absl::OkStatus();
}

}  // namespace ledger
}  // namespace vellum
