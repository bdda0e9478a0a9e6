// A persistent pool of worker threads. The kernels make two or three parallel calls per forward or backward,
// each running for milliseconds, so workers sleep on a condition variable between calls instead of spinning
// (on a shared 2-core node spinning would steal the core that Node's own threads need).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace rnnseq {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return int(workers_.size()) + 1; }

  // Runs body(index, size()) once per thread, the caller being index 0, and returns when all have finished.
  // The first exception thrown by any of them is rethrown here.
  void run(const std::function<void(int, int)>& body);

 private:
  void work(int index);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable start_, done_;
  const std::function<void(int, int)>* body_ = nullptr;
  uint64_t generation_ = 0;
  int running_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
};

}  // namespace rnnseq
