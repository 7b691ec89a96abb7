#include "ledger/privacy/key_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "ledger/file_io.h"
#include "proof/crypto.h"

namespace vellum {
namespace ledger {
namespace {

absl::Status ErrnoStatus(absl::string_view what, absl::string_view step, const std::string& path) {
  return absl::UnavailableError(absl::StrCat(what, " ", path, ": ", step, ": ",
                                             std::strerror(errno)));
}

absl::StatusOr<std::string> CreateKeyFile(absl::string_view what, const std::string& path,
                                          size_t size) {
  std::string key(size, '\0');
  absl::Status status =
      crypto::RandomBytes(absl::MakeSpan(reinterpret_cast<uint8_t*>(&key[0]), key.size()));
  if (!status.ok()) return status;
  const std::string temporary = path + ".new";
  // A temporary file a crash left behind held a key that was never used.
  if (unlink(temporary.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(what, "cannot remove the unfinished", temporary);
  }
  status = WriteNewFile(temporary, absl::StrCat(absl::BytesToHexString(key), "\n"), 0600);
  if (!status.ok()) return status;
  if (rename(temporary.c_str(), path.c_str()) != 0) {
    return ErrnoStatus(what, "cannot rename into place", path);
  }
  status = SyncParentDirectory(path);
  if (!status.ok()) return status;
  return key;
}

}  // namespace

absl::StatusOr<std::string> LoadOrCreateKeyFile(absl::string_view what, const std::string& path,
                                                size_t size) {
  if (access(path.c_str(), F_OK) != 0) {
    if (errno != ENOENT) return ErrnoStatus(what, "cannot look up", path);
    return CreateKeyFile(what, path, size);
  }
  absl::Status status = CheckPrivateFile(what, path);
  if (!status.ok()) return status;
  auto contents = ReadInput(path, 4 * size + 16);
  if (!contents.ok()) return contents.status();
  absl::string_view hex = absl::StripAsciiWhitespace(*contents);
  std::string key;
  if (hex.size() != 2 * size || !absl::c_all_of(hex, absl::ascii_isxdigit)) {
    return absl::DataLossError(absl::StrCat(what, " ", path, ": got ", hex.size(),
                                            " characters, want ", 2 * size, " hex digits"));
  }
  key = absl::HexStringToBytes(hex);
  return key;
}

std::string DefaultLookupKeyFile(absl::string_view data_dir) {
  return absl::StrCat(data_dir, "/privacy-lookup.key");
}

}  // namespace ledger
}  // namespace vellum
