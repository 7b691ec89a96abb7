#include "ledger/file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

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

}  // namespace ledger
}  // namespace vellum
