// Work handed out in chunks claimed from a shared counter. Included by kernel sources after isa_target.h.
#pragma once

#include <atomic>

namespace rnnseq {
namespace RNNSEQ_ISA {

// Work goes out in chunks claimed from a shared counter, not as one fixed share per thread: on a small node the
// second worker often starts late or shares its core with Node's garbage collector, and a fixed split would make
// every call wait for it. Which thread runs a chunk never changes the chunk's result.
class ChunkQueue {
 public:
  explicit ChunkQueue(int chunks) : chunks_(chunks) {}
  bool claim(int& chunk) {
    chunk = next_.fetch_add(1, std::memory_order_relaxed);
    return chunk < chunks_;
  }

 private:
  std::atomic<int> next_{0};
  const int chunks_;
};

}  // namespace RNNSEQ_ISA
}  // namespace rnnseq
