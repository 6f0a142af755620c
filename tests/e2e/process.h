// TESTS ONLY. Runs the pangolin executable as a child process: its exit code and its output,
// with a deadline (a child that overstays is killed and reported as exit code -1).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

namespace pg::protocol::testing {

class Process {
 public:
  explicit Process(const std::vector<std::string>& args) {
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      dup2(err[1], 2);
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    close(err[1]);
    out_fd_ = out[0];
    err_fd_ = err[0];
  }
  ~Process() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) close(out_fd_);
    if (err_fd_ >= 0) close(err_fd_);
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Reads output until stdout contains `needle`, both pipes close, or the deadline passes.
  bool read_until(const std::string& needle, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out_.find(needle) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || pump(int(left.count())) != Pump::kData) {
        return out_.find(needle) != std::string::npos;
      }
    }
    return true;
  }
  void signal(int sig) { kill(pid_, sig); }
  // Reads everything, then waits for the exit code (-1 if killed at the deadline).
  int wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto left = [&] {
      return int(std::chrono::duration_cast<std::chrono::milliseconds>(
                     deadline - std::chrono::steady_clock::now())
                     .count());
    };
    while (left() > 0 && pump(left()) != Pump::kClosed) {
    }
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (left() <= 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        exited_ = true;
        return -1;
      }
      usleep(10000);
    }
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  enum class Pump { kData, kClosed, kTimeout };
  Pump pump(int timeout_ms) {
    if (out_fd_ < 0 && err_fd_ < 0) return Pump::kClosed;
    pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
    if (poll(fds, 2, timeout_ms) <= 0) return Pump::kTimeout;
    for (int i = 0; i < 2; ++i) {
      int& fd = i == 0 ? out_fd_ : err_fd_;
      if (fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char tmp[4096];
      const ssize_t n = read(fd, tmp, sizeof(tmp));
      if (n <= 0) {
        close(fd);
        fd = -1;
        continue;
      }
      (i == 0 ? out_ : err_).append(tmp, size_t(n));
    }
    return out_fd_ < 0 && err_fd_ < 0 ? Pump::kClosed : Pump::kData;
  }

  pid_t pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1;
  bool exited_ = false;
  std::string out_, err_;
};

}  // namespace pg::protocol::testing
