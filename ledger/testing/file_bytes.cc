#include "ledger/testing/file_bytes.h"

#include <dirent.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"

namespace vellum {
namespace ledger {

std::string AllFileBytes(const std::string& dir) {
  std::string all;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return all;
  while (struct dirent* e = readdir(d)) {
    const std::string path = absl::StrCat(dir, "/", e->d_name);
    struct stat st;
    if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    std::ifstream in(path, std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  closedir(d);
  return all;
}

}  // namespace ledger
}  // namespace vellum
