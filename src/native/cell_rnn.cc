// Elman RNN step: h' = tanh(x W + h U + b).
#include "isa_target.h"
#include "recurrence.h"

namespace rnnseq {
namespace RNNSEQ_ISA {

void forward_step_rnn(ForwardThread& th, int i) {
  const Dims& d = th.d;
  const int t = th.time_of(i);
  const RowView zc = th.z(i), zn = th.z(i + 1), gv = th.g(i);
  const float* bias = th.panels.bias.data();

  rows_times_blocks<1>(th.nr, d.D + d.H, zc.p, zc.rs, th.panels.gates.data(), d.chunks, th.tile.data(),
                       [&](int r, int jb, const float* acc) {
    const int j0 = jb * W;
    const int n = std::min(W, d.H - j0);
    if (!th.real[r]) {
      std::memmove(zn.h(r) + j0, zc.h(r) + j0, sizeof(float) * n);
      return th.emit_padding(r, t, j0, n);
    }
    const V h = tanh_approx(add(load(acc), load(bias + j0)));
    store_n_or_full(zn.h(r) + j0, h, n);
    th.emit(r, t, j0, h, n);
    if (gv.p) store_n_or_full(gv.row(r) + j0, h, n);
  });
}

void backward_step_rnn(BackwardThread& th, int i) {
  const Dims& d = th.d;
  const int t = th.time_of(i);
  const RowView gv = th.g(i);
  const V one = set1(1.0f);

  for (int r = 0; r < th.nr; ++r) {
    float* grow = gv.row(r);
    if (!th.real[r]) {
      std::memset(grow, 0, sizeof(float) * d.GH);
      continue;
    }
    const float* dh = th.dh.data() + size_t(r) * d.H;
    const float* d_out = th.d_out(r, t);
    for (int j0 = 0; j0 < d.H; j0 += W) {
      const int n = std::min(W, d.H - j0);
      const V dht = add(load_n_or_full(dh + j0, n), load_n_or_full(d_out + j0, n));
      const V h = load_n_or_full(grow + j0, n);
      store_n_or_full(grow + j0, mul(dht, fnmadd(h, h, one)), n);
    }
  }

  rows_times_vectors<kBackwardVectors>(th.nr, d.GH, gv.p, gv.rs, th.panels.all.data(), d.chunks, th.tile.data(),
                                       [&](int r, int jb, const float* acc) {
    if (th.real[r]) th.store_dh(jb, acc, th.dh.data() + size_t(r) * d.H, false);
  });
  th.input_gradient(i, t);
}

}  // namespace RNNSEQ_ISA
}  // namespace rnnseq

#include "isa_target_end.h"
