#ifndef VELLUM_LEDGER_FILE_IO_H_
#define VELLUM_LEDGER_FILE_IO_H_

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/optional.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace vellum {
namespace ledger {

// Reads all of `path`, or standard input when `path` is "-". Fails with OutOfRange, naming the
// limit, when the input is longer than `max_bytes`, so a huge or endless input is never buffered.
absl::StatusOr<std::string> ReadInput(absl::string_view path, size_t max_bytes);

// Creates `path` with permission bits `mode` and writes `contents`, then fsyncs it. Fails with
// AlreadyExists rather than overwrite an existing file.
absl::Status WriteNewFile(absl::string_view path, absl::string_view contents, mode_t mode);

// Syncs the directory that holds `path`, so that a file created or renamed there survives a
// crash. Fails with Unavailable naming the directory.
absl::Status SyncParentDirectory(absl::string_view path);

// Whether anything exists at `path`.
bool PathExists(const std::string& path);

// Reads a bearer token from `path` (the --token-file flag), if given: the file's one line, with
// surrounding whitespace removed. "" without a path. The token itself is never part of any
// message.
absl::StatusOr<std::string> ReadTokenFile(const absl::optional<std::string>& path);

// Checks that the secret file `path` (a key, a token file, a webhook secret; `what` names it in
// messages, e.g. "signer key") is private to this process. Symlinks are followed (realpath) and
// the file they lead to is judged, so a Kubernetes Secret volume's chain `key -> ..data/key`,
// `..data -> ..<timestamp>` is fine. The file must be a regular file owned by the user this
// process runs as or by root, with no access for others and no write access for its group. Its
// group may read it only when root owns it, this process is not root and runs in that group: a
// Secret volume with `defaultMode: 0400` and the pod's `fsGroup` gives mode 0440, root:fsGroup.
// Fails with FailedPrecondition naming both paths, the mode or owner, and the chmod or chown
// that fixes it; NotFound when there is no file.
absl::Status CheckPrivateFile(absl::string_view what, const std::string& path);

// Checks that the directory `path` (resolved likewise) is owned by the user this process runs as
// and has no group or other access (mode 0700). Fails like CheckPrivateFile.
absl::Status CheckPrivateDirectory(absl::string_view what, const std::string& path);

// The rule of CheckPrivateFile (for a regular file) and CheckPrivateDirectory (for a
// directory), applied to `st`, the attributes of `resolved` (what `path` resolved to), for a
// process running as user `uid` in `groups`. Refuses any other type of file.
absl::Status CheckPrivateStat(absl::string_view what, absl::string_view path,
                              absl::string_view resolved, const struct stat& st, uid_t uid,
                              absl::Span<const gid_t> groups);

}  // namespace ledger
}  // namespace vellum

#endif  // VELLUM_LEDGER_FILE_IO_H_
