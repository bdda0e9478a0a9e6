// GRU step (Cho et al. 2014, reset before U_n), gate blocks [z r n], see cells.ts:
//   z = s(x W_z + h U_z + b_z), r = s(x W_r + h U_r + b_r)
//   n = tanh(x W_n + (r*h) U_n + b_n),  h' = (1 - z) n + z h
// Two products per step: [x, h] [W_zr; U_zr] gives z and r, then [x, r*h] [W_n; U_n] gives n. The second row
// is stored (workspace z2) because dU_n = sum (r*h)^T da_n.
#include "isa_target.h"
#include "recurrence.h"

namespace rnnseq {
namespace RNNSEQ_ISA {

void forward_step_gru(ForwardThread& th, int i) {
  const Dims& d = th.d;
  const int t = th.time_of(i);
  const RowView zc = th.z(i), zn = th.z(i + 1), z2 = th.z2(i), gv = th.g(i);
  const int padded = d.chunks * W;
  const float* bias = th.panels.bias.data();

  for (int r = 0; r < th.nr; ++r) {
    std::memcpy(z2.row(r), zc.row(r), sizeof(float) * d.D);
    z2.row(r)[d.D + d.H] = 1.0f;
  }

  rows_times_blocks<2>(th.nr, d.D + d.H, zc.p, zc.rs, th.panels.gates.data(), d.chunks, th.tile.data(),
                       [&](int r, int jb, const float* acc) {
    const int j0 = jb * W;
    const int n = std::min(W, d.H - j0);
    const V z = sigmoid(add(load(acc), load(bias + j0)));
    const V reset = sigmoid(add(load(acc + W), load(bias + padded + j0)));
    const V h_prev = load_n_or_full(zc.h(r) + j0, n);
    store_n_or_full(z2.h(r) + j0, mul(reset, h_prev), n);
    store_n_or_full(th.z_gate(i, r) + j0, z, n);
    if (gv.p) store_n_or_full(gv.row(r) + d.H + j0, reset, n);
  });

  rows_times_blocks<1>(th.nr, d.D + d.H, z2.p, z2.rs, th.panels.gru_n.data(), d.chunks, th.tile.data(),
                       [&](int r, int jb, const float* acc) {
    const int j0 = jb * W;
    const int n = std::min(W, d.H - j0);
    if (!th.real[r]) {
      std::memmove(zn.h(r) + j0, zc.h(r) + j0, sizeof(float) * n);
      return th.emit_padding(r, t, j0, n);
    }
    const V cand = tanh_approx(add(load(acc), load(bias + 2 * padded + j0)));
    const V z = load_n_or_full(th.z_gate(i, r) + j0, n);
    const V h_prev = load_n_or_full(zc.h(r) + j0, n);
    const V h = fmadd(z, sub(h_prev, cand), cand);  // (1-z) n + z h
    store_n_or_full(zn.h(r) + j0, h, n);
    th.emit(r, t, j0, h, n);
    if (gv.p) store_n_or_full(gv.row(r) + 2 * d.H + j0, cand, n);
  });
}

void backward_step_gru(BackwardThread& th, int i) {
  const Dims& d = th.d;
  const int t = th.time_of(i);
  const RowView gv = th.g(i), zc = th.z(i);
  const V one = set1(1.0f);

  // da_z, da_n; dh keeps dh' z until the reset-gate path is added.
  for (int r = 0; r < th.nr; ++r) {
    float* grow = gv.row(r);
    if (!th.real[r]) {
      std::memset(grow, 0, sizeof(float) * d.GH);
      continue;
    }
    float* dh = th.dh.data() + size_t(r) * d.H;
    const float* d_out = th.d_out(r, t);
    for (int j0 = 0; j0 < d.H; j0 += W) {
      const int n = std::min(W, d.H - j0);
      const V dht = add(load_n_or_full(dh + j0, n), load_n_or_full(d_out + j0, n));
      const V z = load_n_or_full(grow + j0, n);
      const V cand = load_n_or_full(grow + 2 * d.H + j0, n);
      const V h_prev = load_n_or_full(zc.h(r) + j0, n);
      const V da_z = mul(mul(dht, sub(h_prev, cand)), mul(z, sub(one, z)));
      const V da_n = mul(mul(dht, sub(one, z)), fnmadd(cand, cand, one));
      store_n_or_full(grow + j0, da_z, n);
      store_n_or_full(grow + 2 * d.H + j0, da_n, n);
      store_n_or_full(dh + j0, mul(dht, z), n);
    }
  }

  // d(r*h) = da_n U_n^T
  rows_times_vectors<kBackwardVectors>(th.nr, d.H, gv.p + 2 * d.H, gv.rs, th.panels.gru_n.data(), d.chunks,
                                       th.tile.data(), [&](int r, int jb, const float* acc) {
    if (th.real[r]) th.store_dh(jb, acc, th.drh.data() + size_t(r) * d.H, false);
  });

  for (int r = 0; r < th.nr; ++r) {
    if (!th.real[r]) continue;
    float* grow = gv.row(r);
    float* dh = th.dh.data() + size_t(r) * d.H;
    const float* drh = th.drh.data() + size_t(r) * d.H;
    for (int j0 = 0; j0 < d.H; j0 += W) {
      const int n = std::min(W, d.H - j0);
      const V reset = load_n_or_full(grow + d.H + j0, n);
      const V h_prev = load_n_or_full(zc.h(r) + j0, n);
      const V d_rh = load_n_or_full(drh + j0, n);
      store_n_or_full(grow + d.H + j0, mul(mul(d_rh, h_prev), mul(reset, sub(one, reset))), n);
      store_n_or_full(dh + j0, fmadd(d_rh, reset, load_n_or_full(dh + j0, n)), n);
    }
  }

  // dh += [da_z, da_r] U_zr^T
  rows_times_vectors<kBackwardVectors>(th.nr, 2 * d.H, gv.p, gv.rs, th.panels.gru_zr.data(), d.chunks,
                                       th.tile.data(), [&](int r, int jb, const float* acc) {
    if (th.real[r]) th.store_dh(jb, acc, th.dh.data() + size_t(r) * d.H, true);
  });
  th.input_gradient(i, t);
}

}  // namespace RNNSEQ_ISA
}  // namespace rnnseq

#include "isa_target_end.h"
