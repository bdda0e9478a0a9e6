// Forward and backward-through-time drivers for one direction of one layer, compiled once per instruction set.
//
// Threads split the batch: a chunk of rows is one thread's for the whole sweep (rows are independent in the
// recurrence). The weight gradients are a second phase that splits the gate columns instead: dW, dU and db
// together are [x, h_prev, 1]^T . da over all B*T rows, one GEMM in a fixed row order, so every element has
// exactly one owner and the same summation order whatever the thread count.
#include "isa_target.h"
#include "chunk_queue.h"
#include "recurrence.h"

namespace rnnseq {
namespace RNNSEQ_ISA {

namespace {

constexpr int kWeightVectors = 4;   // columns per weight-gradient tile: kWeightVectors * W
constexpr int kWeightRows = 512;   // B*T rows per packed block of da (512 x 64 floats = 128 KiB, in L2)

// Batch rows in 1-4 chunks per thread (equal shares when all threads keep pace), each chunk still at least two
// register tiles tall where the batch allows.
struct RowChunks {
  int rows, count;
  RowChunks(int batch, int threads) : rows(batch) {
    const int per_thread = std::clamp(batch / (threads * 2 * tile_rows(4)), 1, 4);
    count = std::max(1, std::min(batch, threads * per_thread));
  }
  void range(int chunk, int& first, int& n) const {
    first = int(int64_t(rows) * chunk / count);
    n = int(int64_t(rows) * (chunk + 1) / count) - first;
  }
};

void forward_rows(const ForwardArgs& a, const ForwardPanels& panels, int r0, int nr) {
  const Shape& s = a.s;
  const Dims d(s);
  ForwardThread th(a, panels, r0, nr);
  const bool cell_state = has_cell_state(s.cell);
  const RowView z0 = th.z(0);
  for (int r = 0; r < nr; ++r) {
    std::memcpy(z0.h(r), a.h0 + size_t(r0 + r) * d.H, sizeof(float) * d.H);
    if (cell_state) std::memcpy(th.c(0).row(r), a.c0 + size_t(r0 + r) * d.H, sizeof(float) * d.H);
  }
  for (int i = 0; i < d.T; ++i) {
    const int t = th.time_of(i);
    const RowView zc = th.z(i);
    for (int r = 0; r < nr; ++r) {
      const size_t bt = size_t(r0 + r) * d.T + t;
      std::memcpy(zc.row(r), a.x + bt * d.D, sizeof(float) * d.D);
      zc.row(r)[d.D + d.H] = 1.0f;  // multiplies db in the weight-gradient GEMM
      th.real[r] = a.mask == nullptr || a.mask[bt] != 0.0f;
    }
    switch (s.cell) {
      case Cell::lstm:
      case Cell::cifg: forward_step_lstm(th, i); break;
      case Cell::gru: forward_step_gru(th, i); break;
      case Cell::rnn: forward_step_rnn(th, i); break;
    }
  }
  if (th.train && cell_state) {
    const RowView last = th.c(d.T);
    for (int r = 0; r < nr; ++r) std::memcpy(a.cT + size_t(r0 + r) * d.H, last.row(r), sizeof(float) * d.H);
  }
}

void pack_forward_panels(const ForwardArgs& a, ForwardPanels& panels) {
  const Shape& s = a.s;
  const Dims d(s);
  const StackedWeights w{a.W, a.U, d.D, d.H, d.GH};
  if (s.cell == Cell::gru) {
    panels.gates.resize(gate_blocks_floats(d.D, d.H, 2));
    pack_gate_blocks(w, 0, 2, panels.gates.data());
    panels.gru_n.resize(gate_blocks_floats(d.D, d.H, 1));
    pack_gate_blocks(w, 2, 1, panels.gru_n.data());
  } else {
    panels.gates.resize(gate_blocks_floats(d.D, d.H, d.G));
    pack_gate_blocks(w, 0, d.G, panels.gates.data());
  }
  const int padded = d.chunks * W;
  panels.bias.assign(size_t(d.G) * padded, 0.0f);
  for (int q = 0; q < d.G; ++q) std::memcpy(&panels.bias[size_t(q) * padded], a.b + q * d.H, sizeof(float) * d.H);
}

void forward(const ForwardArgs* args, int count, const Parallel& parallel) {
  std::vector<ForwardPanels> panels(count);
  std::vector<RowChunks> chunks;
  std::vector<int> first_chunk;  // of sweep k in the shared queue
  int total = 0;
  for (int k = 0; k < count; ++k) {
    pack_forward_panels(args[k], panels[k]);
    chunks.emplace_back(args[k].s.batch, parallel.threads);
    first_chunk.push_back(total);
    total += chunks.back().count;
  }
  ChunkQueue queue(total);
  parallel([&](int, int) {
    for (int chunk, r0, nr; queue.claim(chunk);) {
      const int k = int(std::upper_bound(first_chunk.begin(), first_chunk.end(), chunk) - first_chunk.begin()) - 1;
      chunks[k].range(chunk - first_chunk[k], r0, nr);
      if (nr > 0) forward_rows(args[k], panels[k], r0, nr);
    }
  });
}

struct WeightSegment {
  const float* rows;  // [B*T][Z]: the row each step multiplied by these columns
  int col_begin, col_end;
};

template <int NV>
void weight_block(const Dims& d, const float* a_rows, int kn, const float* panel, int col0, int valid,
                  float* const* rows, float* tile) {
  constexpr int R = tile_rows(NV);
  constexpr int width = NV * W;
  for_each_tile<R>(d.Z, [&](int m0, int rn) {
    microkernel_rows<NV, false>(rn, kn, a_rows + m0, 1, d.Z, panel, width, tile);
    for (int r = 0; r < rn; ++r) {
      float* c = rows[m0 + r] + col0;
      const float* part = tile + r * width;
      int j = 0;
      for (; j + W <= valid; j += W) store(c + j, add(load(c + j), load(part + j)));
      for (; j < valid; ++j) c[j] += part[j];
    }
  });
}

// dW, dU and db, all D+H+1 rows of them, column chunk by column chunk (whole vectors of gate columns, one owner
// per chunk), each summed over all B*T rows in the same fixed order.
void weight_gradients(const BackwardArgs& a, const Dims& d, const Parallel& parallel) {
  const WorkspaceLayout l = workspace_layout(a.s);
  const float* da = a.workspace + l.g;
  std::vector<WeightSegment> segments;
  if (a.s.cell == Cell::gru) {
    segments.push_back({a.workspace + l.z, 0, 2 * d.H});
    segments.push_back({a.workspace + l.z2, 2 * d.H, 3 * d.H});
  } else {
    segments.push_back({a.workspace + l.z, 0, d.GH});
  }
  // Chunks of whole kWeightVectors-wide blocks, about two per thread.
  struct ColumnChunk {
    const WeightSegment* segment;
    int v0, v1;  // vectors from the segment's first column
  };
  std::vector<ColumnChunk> chunks;
  for (const WeightSegment& seg : segments) {
    const int vectors = (seg.col_end - seg.col_begin + W - 1) / W;
    const int blocks = (vectors + kWeightVectors - 1) / kWeightVectors;
    const int per_chunk = std::max(1, (blocks + 2 * parallel.threads - 1) / (2 * parallel.threads)) * kWeightVectors;
    for (int v = 0; v < vectors; v += per_chunk) chunks.push_back({&seg, v, std::min(vectors, v + per_chunk)});
  }
  std::vector<float*> c_rows(d.Z);
  for (int m = 0; m < d.Z; ++m)
    c_rows[m] = m < d.D ? a.dW + size_t(m) * d.GH : m < d.D + d.H ? a.dU + size_t(m - d.D) * d.GH : a.db;
  const int64_t K = int64_t(d.B) * d.T;
  ChunkQueue queue(int(chunks.size()));

  parallel([&](int, int) {
    std::vector<float> panel(size_t(kWeightRows) * kWeightVectors * W);
    std::vector<float> tile(size_t(kMaxRows) * kWeightVectors * W);
    for (int chunk; queue.claim(chunk);) {
      const WeightSegment& seg = *chunks[chunk].segment;
      const int v0 = chunks[chunk].v0, v1 = chunks[chunk].v1;
      const int lo = seg.col_begin + v0 * W, hi = std::min(seg.col_end, seg.col_begin + v1 * W);
      for (int m = 0; m < d.Z; ++m) std::memset(c_rows[m] + lo, 0, sizeof(float) * (hi - lo));
      for (int64_t k0 = 0; k0 < K; k0 += kWeightRows) {
        const int kn = int(std::min<int64_t>(kWeightRows, K - k0));
        for (int vb = v0; vb < v1; vb += kWeightVectors) {
          const int nv = std::min(kWeightVectors, v1 - vb);
          const int col0 = seg.col_begin + vb * W;
          const int width = nv * W;
          const int valid = std::min(width, seg.col_end - col0);
          for (int kk = 0; kk < kn; ++kk) {
            float* dst = panel.data() + size_t(kk) * width;
            std::memcpy(dst, da + size_t(k0 + kk) * d.GH + col0, sizeof(float) * valid);
            std::memset(dst + valid, 0, sizeof(float) * (width - valid));
          }
          const float* a_rows = seg.rows + size_t(k0) * d.Z;
          switch (nv) {
            case 1: weight_block<1>(d, a_rows, kn, panel.data(), col0, valid, c_rows.data(), tile.data()); break;
            case 2: weight_block<2>(d, a_rows, kn, panel.data(), col0, valid, c_rows.data(), tile.data()); break;
            case 3: weight_block<3>(d, a_rows, kn, panel.data(), col0, valid, c_rows.data(), tile.data()); break;
            default: weight_block<4>(d, a_rows, kn, panel.data(), col0, valid, c_rows.data(), tile.data()); break;
          }
        }
      }
    }
  });
}

void backward_rows(const BackwardArgs& a, const BackwardPanels& panels, int r0, int nr) {
  const Shape& s = a.s;
  const Dims d(s);
  BackwardThread th(a, panels, r0, nr);
  const bool cell_state = has_cell_state(s.cell);
  std::memcpy(th.dh.data(), a.dhT + size_t(r0) * d.H, sizeof(float) * nr * d.H);
  if (cell_state) std::memcpy(th.dc.data(), a.dcT + size_t(r0) * d.H, sizeof(float) * nr * d.H);
  for (int i = d.T - 1; i >= 0; --i) {
    const int t = th.time_of(i);
    for (int r = 0; r < nr; ++r) th.real[r] = a.mask == nullptr || a.mask[size_t(r0 + r) * d.T + t] != 0.0f;
    th.prefetch_step(i - 1);
    switch (s.cell) {
      case Cell::lstm:
      case Cell::cifg: backward_step_lstm(th, i); break;
      case Cell::gru: backward_step_gru(th, i); break;
      case Cell::rnn: backward_step_rnn(th, i); break;
    }
  }
  std::memcpy(a.dh0 + size_t(r0) * d.H, th.dh.data(), sizeof(float) * nr * d.H);
  if (cell_state) std::memcpy(a.dc0 + size_t(r0) * d.H, th.dc.data(), sizeof(float) * nr * d.H);
}

void backward(const BackwardArgs& a, const Parallel& parallel) {
  const Shape& s = a.s;
  const Dims d(s);
  const int nv = kBackwardVectors;
  BackwardPanels panels;
  if (s.cell == Cell::gru) {
    panels.gru_n.resize(recurrent_transposed_floats(d.H, d.H, nv));
    pack_recurrent_transposed(a.U, d.H, d.GH, 2 * d.H, d.H, nv, panels.gru_n.data());
    panels.gru_zr.resize(recurrent_transposed_floats(d.H, 2 * d.H, nv));
    pack_recurrent_transposed(a.U, d.H, d.GH, 0, 2 * d.H, nv, panels.gru_zr.data());
  } else {
    panels.all.resize(recurrent_transposed_floats(d.H, d.GH, nv));
    pack_recurrent_transposed(a.U, d.H, d.GH, 0, d.GH, nv, panels.all.data());
  }

  const RowChunks chunks(d.B, parallel.threads);
  ChunkQueue queue(chunks.count);
  parallel([&](int, int) {
    for (int chunk, r0, nr; queue.claim(chunk);) {
      chunks.range(chunk, r0, nr);
      if (nr > 0) backward_rows(a, panels, r0, nr);
    }
  });

  weight_gradients(a, d, parallel);
}

}  // namespace

const KernelTable kernels = {RNNSEQ_SIMD_NAME, forward, backward};

}  // namespace RNNSEQ_ISA
}  // namespace rnnseq

#include "isa_target_end.h"
