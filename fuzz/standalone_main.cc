// A main() for fuzz targets built without libFuzzer: runs LLVMFuzzerTestOneInput once on each
// file named on the command line, and on every regular file below each directory named there
// (in sorted order). Arguments starting with '-' are libFuzzer flags and are ignored, so the same
// command line works for both builds.
//
// Each input is copied into a heap buffer of exactly its size, so that a sanitizer build reports
// any read past its end. Exits 1 if an argument cannot be read, or if there were no inputs at all:
// a corpus test that replays nothing must not pass.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

namespace fs = std::filesystem;

bool RunFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "standalone_main: cannot open %s\n", path.c_str());
    return false;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    std::fprintf(stderr, "standalone_main: cannot read %s\n", path.c_str());
    return false;
  }
  std::unique_ptr<uint8_t[]> copy(new uint8_t[bytes.size()]);
  std::copy(bytes.begin(), bytes.end(), copy.get());
  LLVMFuzzerTestOneInput(copy.get(), bytes.size());
  return true;
}

// Appends the regular files named by `arg` (itself, or those below it) to `files`.
bool CollectFiles(const fs::path& arg, std::vector<fs::path>* files) {
  std::error_code ec;
  if (fs::is_directory(arg, ec)) {
    std::vector<fs::path> found;
    for (fs::recursive_directory_iterator it(arg, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec)) found.push_back(it->path());
    }
    if (ec) {
      std::fprintf(stderr, "standalone_main: cannot list %s: %s\n", arg.c_str(),
                   ec.message().c_str());
      return false;
    }
    std::sort(found.begin(), found.end());
    files->insert(files->end(), found.begin(), found.end());
    return true;
  }
  if (!fs::exists(arg, ec)) {
    std::fprintf(stderr, "standalone_main: no such file %s\n", arg.c_str());
    return false;
  }
  files->push_back(arg);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] == '-') continue;
    if (!CollectFiles(argv[i], &files)) return 1;
  }
  if (files.empty()) {
    std::fprintf(stderr, "standalone_main: no input files; usage: %s FILE_OR_DIR...\n", argv[0]);
    return 1;
  }
  for (const fs::path& file : files) {
    if (!RunFile(file)) return 1;
  }
  std::fprintf(stderr, "standalone_main: ran %zu inputs\n", files.size());
  return 0;
}
