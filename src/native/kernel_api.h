// The contract between the N-API layer and the per-ISA kernel builds. Everything here is plain data; the
// equations and gate layout are those of src/engine/cells.ts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

namespace rnnseq {

// Order matches the string names used by the JS side.
enum class Cell : int { lstm = 0, gru = 1, rnn = 2, cifg = 3 };

inline int gate_count(Cell cell) {
  switch (cell) {
    case Cell::lstm: return 4;
    case Cell::gru:
    case Cell::cifg: return 3;
    case Cell::rnn: return 1;
  }
  return 0;
}

inline bool has_cell_state(Cell cell) { return cell == Cell::lstm || cell == Cell::cifg; }

struct Shape {
  Cell cell;
  int batch;   // B
  int steps;   // T
  int input;   // D
  int hidden;  // H
  bool reverse;
  bool bounded = false;  // cifg only: sigmoid candidate and h = o*c (cells.ts)
};

// Activations kept by a training forward for the backward pass, time-major (index i counts steps in processing
// order) so one step's rows are contiguous for every thread, and the weight-gradient GEMM runs over all T*B rows
// in one fixed order:
//   z  [T][B][D+H+1]  the row multiplied by [W;U] at each step: x_t, state before the step, and a 1 for the bias
//   c  [T+1][B][H]    memory cell before each step and after the last (lstm, cifg)
//   g  [T][B][G*H]    gate activations; overwritten in place by the pre-activation gradients during backward
//   z2 [T][B][D+H+1]  gru only: x_t, r*h, 1 (the row U_n multiplies)
struct WorkspaceLayout {
  size_t z = 0, c = 0, g = 0, z2 = 0;  // offsets in floats
  size_t total = 0;                    // floats
};

inline WorkspaceLayout workspace_layout(const Shape& s) {
  const size_t B = s.batch, T = s.steps, D = s.input, H = s.hidden, G = gate_count(s.cell);
  const size_t zrow = D + H + 1;
  WorkspaceLayout l;
  size_t at = 0;
  l.z = at;
  at += B * T * zrow;
  l.c = at;
  if (has_cell_state(s.cell)) at += B * (T + 1) * H;
  l.g = at;
  at += B * T * G * H;
  l.z2 = at;
  if (s.cell == Cell::gru) at += B * T * zrow;
  l.total = at;
  return l;
}

struct ForwardArgs {
  Shape s;
  const float* x;     // [B][T][D]
  const float* mask;  // [B][T], non-zero = real step; null = all real
  const float* h0;    // [B][H]
  const float* c0;    // [B][H]; lstm, cifg only
  const float* W;     // [D][G*H]
  const float* U;     // [H][G*H]
  const float* b;     // [G*H]
  float* out;         // [B][T][H]; may be null in inference, where only hT, pool_max or pool_sum is wanted
  float* pool_max;    // [B][H]: max(pool_max, h_t) over the real steps, in place; null = none
  float* pool_sum;    // [B][H]: pool_sum + h_t over the real steps in step order, in place; null = none
  float* hT;          // [B][H]
  float* cT;          // [B][H]; lstm, cifg only
  float* workspace;   // workspace_layout(s).total floats; null for inference (nothing stored)
};

struct BackwardArgs {
  Shape s;
  const float* mask;
  const float* W;
  const float* U;
  float* workspace;    // from the training forward; consumed (overwritten)
  const float* dOut;   // [B][T][H]
  const float* dhT;    // [B][H]
  const float* dcT;    // [B][H]; lstm, cifg only
  float* dx;           // [B][T][D]
  float* dh0;          // [B][H]
  float* dc0;          // [B][H]; lstm, cifg only
  float* dW;           // [D][G*H]
  float* dU;           // [H][G*H]
  float* db;           // [G*H]
};

// The thread pool as the kernels see it: parallel(body) runs body(thread_index, threads) once on each of
// `threads` threads and returns when all are done.
struct Parallel {
  int threads;
  std::function<void(const std::function<void(int, int)>&)> run;
  void operator()(const std::function<void(int, int)>& body) const { run(body); }
};

struct KernelTable {
  const char* name;
  // `count` independent sweeps in one call (the directions of a layer): their row chunks share the threads, so a
  // batch of one still keeps two threads busy with two directions. Outputs must not overlap.
  void (*forward)(const ForwardArgs* args, int count, const Parallel&);
  void (*backward)(const BackwardArgs&, const Parallel&);
};

namespace avx512 { extern const KernelTable kernels; }
namespace avx2 { extern const KernelTable kernels; }
namespace generic { extern const KernelTable kernels; }

}  // namespace rnnseq
