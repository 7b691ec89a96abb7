#include "tools/testing/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "api/client/http_client.h"
#include "ledger/testing/wait_until.h"

extern char** environ;

namespace vellum {
namespace subprocess {

std::string TempDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteFile(const std::string& path, const std::string& contents) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0) << "cannot create " << path << ": " << std::strerror(errno);
  for (size_t done = 0; done < contents.size();) {
    const ssize_t n = write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ADD_FAILURE() << "cannot write " << path << ": " << std::strerror(errno);
      break;
    }
    done += static_cast<size_t>(n);
  }
  close(fd);
}

std::unique_ptr<ChildProcess> ChildProcess::Spawn(const std::string& binary,
                                                  const std::vector<std::string>& args,
                                                  const std::string& name,
                                                  const std::string& stdin_path) {
  auto child = std::unique_ptr<ChildProcess>(new ChildProcess);
  child->out_path_ = absl::StrCat(TempDir(), "/", name, ".out");
  child->err_path_ = absl::StrCat(TempDir(), "/", name, ".err");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, child->out_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, child->err_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> argv_storage = {binary};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int error =
      posix_spawn(&child->pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    ADD_FAILURE() << "cannot spawn " << binary << ": " << strerror(error);
    return nullptr;
  }
  return child;
}

ChildProcess::~ChildProcess() {
  if (running()) Kill();
}

uint16_t ChildProcess::WaitUntilServing(absl::Duration timeout) {
  const std::string kServing = "serving http://127.0.0.1:";
  std::string text;
  size_t at = std::string::npos, end = std::string::npos;
  const bool printed = ledger::WaitUntil(
      [&] {
        text = out();
        at = text.find(kServing);
        end = at == std::string::npos ? at : text.find('\n', at);
        return end != std::string::npos || Exited();
      },
      timeout, absl::Milliseconds(5));
  if (!printed) {
    ADD_FAILURE() << "the server did not start within " << timeout;
    return 0;
  }
  if (end == std::string::npos) return 0;  // It exited.
  uint32_t port = 0;
  const size_t begin = at + kServing.size();
  if (absl::SimpleAtoi(text.substr(begin, end - begin), &port) && port > 0 && port < 65536) {
    return static_cast<uint16_t>(port);
  }
  ADD_FAILURE() << "cannot read the port in: " << text;
  return 0;
}

bool ChildProcess::Kill() {
  if (!running() || Exited()) return false;
  kill(pid_, SIGKILL);
  Reap(/*block=*/true);
  return true;
}

bool ChildProcess::Signal(int signal) {
  if (!running() || Exited()) return false;
  return kill(pid_, signal) == 0;
}

bool ChildProcess::Stop(int signal, absl::Duration timeout) {
  if (!Signal(signal)) return false;
  return WaitForExit(timeout);
}

bool ChildProcess::WaitForExit(absl::Duration timeout) {
  if (ledger::WaitUntil([this] { return Exited(); }, timeout, absl::Milliseconds(5))) return true;
  Kill();
  return false;
}

bool ChildProcess::Exited() { return !running() || Reap(/*block=*/false); }

bool ChildProcess::Reap(bool block) {
  int wstatus = 0;
  pid_t got = waitpid(pid_, &wstatus, block ? 0 : WNOHANG);
  if (got != pid_) return false;
  status_ = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  pid_ = -1;
  return true;
}

RunResult Run(const std::string& binary, const std::vector<std::string>& args,
              const std::string& input) {
  static int counter = 0;
  const std::string name = absl::StrCat("run", counter++);
  const std::string in = absl::StrCat(TempDir(), "/", name, ".in");
  WriteFile(in, input);
  RunResult result;
  std::unique_ptr<ChildProcess> child = ChildProcess::Spawn(binary, args, name, in);
  if (child == nullptr) return result;
  child->WaitForExit(absl::InfiniteDuration());
  result.status = child->status();
  result.out = child->out();
  result.err = child->err();
  return result;
}

int HttpGet(const std::string& url, const std::string& target, std::string* body) {
  absl::StatusOr<std::unique_ptr<api::HttpClient>> client =
      api::HttpClient::Create(url, api::HttpClient::Options());
  if (!client.ok()) return -1;
  absl::StatusOr<api::HttpResponse> response = (*client)->Send("GET", target);
  if (!response.ok()) return -1;
  if (body != nullptr) *body = response->body;
  return response->status;
}

}  // namespace subprocess
}  // namespace vellum
