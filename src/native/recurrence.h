// Per-thread state of one forward or backward sweep. A thread owns a contiguous range of batch rows for the
// whole sequence: rows never interact in the recurrence, so threads run all T steps without synchronising.
#pragma once

#include "gemm.h"

namespace rnnseq {
namespace RNNSEQ_ISA {

// Row r of a batch-major buffer lives at p + r*rs; the state h of that row starts hoff floats in (z rows hold
// x_t first, the final-state arrays do not).
struct RowView {
  float* p = nullptr;
  ptrdiff_t rs = 0;
  int hoff = 0;
  float* row(int r) const { return p + r * rs; }
  float* h(int r) const { return p + r * rs + hoff; }
};

// Weight panels shared read-only by all threads of one call.
struct ForwardPanels {
  std::vector<float> gates;   // all gates; gru: z and r only
  std::vector<float> gru_n;   // gru: the n gate, multiplied by [x, r*h]
  std::vector<float> bias;    // [G][chunks*W], zero-padded per gate
};

struct BackwardPanels {
  std::vector<float> all;     // U^T over every gate column
  std::vector<float> gru_n;   // gru: rows of U^T for the n gate
  std::vector<float> gru_zr;  // gru: rows of U^T for z and r
};

constexpr int kBackwardVectors = 4;  // dh vectors per backward tile

struct Dims {
  int B, T, D, H, G, GH, Z, chunks;
  explicit Dims(const Shape& s)
      : B(s.batch), T(s.steps), D(s.input), H(s.hidden), G(gate_count(s.cell)), GH(G * s.hidden),
        Z(s.input + s.hidden + 1), chunks((s.hidden + W - 1) / W) {}
};

struct ForwardThread {
  const ForwardArgs& a;
  const ForwardPanels& panels;
  Dims d;
  int r0, nr;  // global index of the first row, row count
  bool train;
  WorkspaceLayout layout;
  std::vector<float> z_local[2], c_local[2], z2_local, z_gate_local, tile;
  std::vector<uint8_t> real;  // per row: is the current step a real (unmasked) one

  ForwardThread(const ForwardArgs& args, const ForwardPanels& p, int first, int count)
      : a(args), panels(p), d(args.s), r0(first), nr(count), train(args.workspace != nullptr),
        layout(workspace_layout(args.s)), tile(size_t(kMaxRows) * 4 * W), real(count) {
    if (!train) {
      for (auto& z : z_local) z.assign(size_t(nr) * d.Z, 0.0f);
      for (auto& c : c_local) c.assign(size_t(nr) * d.H, 0.0f);
      if (args.s.cell == Cell::gru) {
        z2_local.assign(size_t(nr) * d.Z, 0.0f);
        z_gate_local.assign(size_t(nr) * d.H, 0.0f);
      }
    }
  }

  int time_of(int i) const { return a.s.reverse ? d.T - 1 - i : i; }

  // z rows for step i (input to the step); i == T is the final state, written straight into hT.
  RowView z(int i) const {
    if (i == d.T) return {a.hT + size_t(r0) * d.H, d.H, 0};
    if (train) return {a.workspace + layout.z + (size_t(i) * d.B + r0) * d.Z, d.Z, d.D};
    return {const_cast<float*>(z_local[i & 1].data()), d.Z, d.D};
  }
  RowView c(int i) const {
    if (train) return {a.workspace + layout.c + (size_t(i) * d.B + r0) * d.H, d.H, 0};
    if (i == d.T) return {a.cT + size_t(r0) * d.H, d.H, 0};
    return {const_cast<float*>(c_local[i & 1].data()), d.H, 0};
  }
  // Gate activations of step i; null rows in inference, where nothing is kept.
  RowView g(int i) const {
    if (!train) return {};
    return {a.workspace + layout.g + (size_t(i) * d.B + r0) * d.GH, d.GH, 0};
  }
  RowView z2(int i) const {
    if (train) return {a.workspace + layout.z2 + (size_t(i) * d.B + r0) * d.Z, d.Z, d.D};
    return {const_cast<float*>(z2_local.data()), d.Z, d.D};
  }
  // gru's update gate between its two phases
  float* z_gate(int i, int r) const {
    if (train) return g(i).row(r);
    return const_cast<float*>(z_gate_local.data()) + size_t(r) * d.H;
  }
  float* out(int r, int t) const { return a.out + (size_t(r0 + r) * d.T + t) * d.H; }
  // The step's outputs: stored per step (a.out may be null in inference) and/or folded into the running maximum
  // or sum.
  void emit(int r, int t, int j0, V h, int n) const {
    if (a.out) store_n_or_full(out(r, t) + j0, h, n);
    if (a.pool_max) {
      float* m = a.pool_max + size_t(r0 + r) * d.H + j0;
      store_n_or_full(m, vmax(load_n_or_full(m, n), h), n);
    }
    if (a.pool_sum) {
      float* m = a.pool_sum + size_t(r0 + r) * d.H + j0;
      store_n_or_full(m, add(load_n_or_full(m, n), h), n);
    }
  }
  // A padded step emits zeros, and they take no part in the maximum or the sum.
  void emit_padding(int r, int t, int j0, int n) const {
    if (a.out) std::memset(out(r, t) + j0, 0, sizeof(float) * n);
  }
};

struct BackwardThread {
  const BackwardArgs& a;
  const BackwardPanels& panels;
  Dims d;
  int r0, nr;
  WorkspaceLayout layout;
  std::vector<float> dh, dc, drh, tile;
  std::vector<uint8_t> real;

  BackwardThread(const BackwardArgs& args, const BackwardPanels& p, int first, int count)
      : a(args), panels(p), d(args.s), r0(first), nr(count), layout(workspace_layout(args.s)),
        dh(size_t(count) * d.H), dc(has_cell_state(args.s.cell) ? size_t(count) * d.H : 0),
        drh(args.s.cell == Cell::gru ? size_t(count) * d.H : 0), tile(size_t(kMaxRows) * kBackwardVectors * W),
        real(count) {}

  int time_of(int i) const { return a.s.reverse ? d.T - 1 - i : i; }
  RowView z(int i) const { return {a.workspace + layout.z + (size_t(i) * d.B + r0) * d.Z, d.Z, d.D}; }
  RowView c(int i) const { return {a.workspace + layout.c + (size_t(i) * d.B + r0) * d.H, d.H, 0}; }
  RowView g(int i) const { return {a.workspace + layout.g + (size_t(i) * d.B + r0) * d.GH, d.GH, 0}; }
  const float* d_out(int r, int t) const { return a.dOut + (size_t(r0 + r) * d.T + t) * d.H; }
  float* dx(int r, int t) const { return a.dx + (size_t(r0 + r) * d.T + t) * d.D; }

  // The activations of step i were written a whole sequence ago and have left the caches; requesting them one
  // step ahead overlaps that memory latency with the current step's products.
  void prefetch_step(int i) const {
    if (i < 0) return;
    auto range = [](const float* p, size_t floats) {
      for (size_t k = 0; k < floats; k += 16) _mm_prefetch(reinterpret_cast<const char*>(p + k), _MM_HINT_T1);
    };
    range(g(i).p, size_t(nr) * d.GH);
    range(z(i).p, size_t(nr) * d.Z);
    if (has_cell_state(a.s.cell)) range(c(i).p, size_t(nr) * d.H);
    const int t = time_of(i);
    for (int r = 0; r < nr; ++r) range(d_out(r, t), d.H);
  }

  // Writes (or adds) one backward tile row, dh columns [jb*kBackwardVectors*W, ...), into a [H] row.
  void store_dh(int jb, const float* tile_row, float* dh_row, bool accumulate) const {
    const int c0 = jb * kBackwardVectors * W;
    const int valid = std::min(kBackwardVectors * W, d.H - c0);
    float* dst = dh_row + c0;
    for (int j = 0; j < valid; j += W) {
      const int n = std::min(W, valid - j);
      const V v = load(tile_row + j);
      store_n_or_full(dst + j, accumulate ? add(load_n_or_full(dst + j, n), v) : v, n);
    }
  }

  // dx_t = da_t W^T for every row of step i; zero on padded steps.
  void input_gradient(int i, int t) const {
    const RowView gv = g(i);
    for (int r = 0; r < nr; ++r) {
      if (real[r]) dot_rows(gv.row(r), a.W, d.GH, d.D, d.GH, dx(r, t));
      else std::memset(dx(r, t), 0, sizeof(float) * d.D);
    }
  }
};

void forward_step_lstm(ForwardThread& th, int i);  // lstm and cifg
void forward_step_gru(ForwardThread& th, int i);
void forward_step_rnn(ForwardThread& th, int i);
void backward_step_lstm(BackwardThread& th, int i);  // lstm and cifg
void backward_step_gru(BackwardThread& th, int i);
void backward_step_rnn(BackwardThread& th, int i);

}  // namespace RNNSEQ_ISA
}  // namespace rnnseq
