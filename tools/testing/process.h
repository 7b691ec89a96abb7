#ifndef VELLUM_TOOLS_TESTING_PROCESS_H_
#define VELLUM_TOOLS_TESTING_PROCESS_H_

// Running the project's binaries from tests: one-shot commands and long-running servers.

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace vellum {
namespace subprocess {

// $TEST_TMPDIR, or /tmp outside Bazel.
std::string TempDir();
std::string ReadFile(const std::string& path);
// Writes `contents` to `path`, created with mode 0600 (as vellumd wants its secret files) or
// truncated with its mode kept. Fails the test if it cannot.
void WriteFile(const std::string& path, const std::string& contents);

// A child process with standard output and error in files. The destructor kills it if it
// still runs, so that no failure path of a test leaves it behind. Thread-compatible.
class ChildProcess {
 public:
  // Spawns `binary args...` with standard input from `stdin_path`, and output in files named
  // after `name` in TempDir(). Returns nullptr (and fails the test) if it cannot be spawned.
  static std::unique_ptr<ChildProcess> Spawn(const std::string& binary,
                                             const std::vector<std::string>& args,
                                             const std::string& name,
                                             const std::string& stdin_path = "/dev/null");
  ~ChildProcess();

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // For vellumd: waits until it prints "serving http://127.0.0.1:PORT" and returns PORT; 0 (and
  // a test failure, unless it exited) if it exits first or does not start within `timeout`.
  uint16_t WaitUntilServing(absl::Duration timeout);

  // kill -9, and reap. Returns false if the process had already exited by itself.
  bool Kill();
  // Sends `signal` (SIGHUP, say) and returns at once; false if the process had exited.
  bool Signal(int signal);
  // Sends `signal` and waits up to `timeout` for the exit; kills it if it does not exit.
  bool Stop(int signal, absl::Duration timeout);
  // Waits up to `timeout` for the process to exit by itself; kills it if it does not.
  bool WaitForExit(absl::Duration timeout);
  // True once the process has exited (reaping it).
  bool Exited();

  bool running() const { return pid_ > 0; }
  // The exit code, or 128 + the signal that ended it; -1 while it runs.
  int status() const { return status_; }
  std::string out() const { return ReadFile(out_path_); }
  std::string err() const { return ReadFile(err_path_); }

 private:
  ChildProcess() = default;
  bool Reap(bool block);

  pid_t pid_ = -1;
  int status_ = -1;
  std::string out_path_;
  std::string err_path_;
};

// What a command did.
struct RunResult {
  int status = -1;  // Exit code; 128 + the signal number when killed by a signal.
  std::string out;
  std::string err;
};

// Runs `binary args...` to completion with `input` on standard input.
RunResult Run(const std::string& binary, const std::vector<std::string>& args,
              const std::string& input = "");

// GETs `target` from the server at `url` (http://HOST:PORT) on a new connection: the HTTP
// status, with the body in `*body` if not null; -1 if the exchange failed.
int HttpGet(const std::string& url, const std::string& target, std::string* body = nullptr);

}  // namespace subprocess
}  // namespace vellum

#endif  // VELLUM_TOOLS_TESTING_PROCESS_H_
