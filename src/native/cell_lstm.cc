// LSTM and CIFG steps (cells with a memory cell c). Gate blocks, see cells.ts:
//   lstm [i f g o]: c' = s(f) c + s(i) tanh(g)
//   cifg [f g o]:   c' = s(f) c + (1 - s(f)) tanh(g)        and for both h' = s(o) tanh(c')
//   cifg bounded:   c' = s(f) c + (1 - s(f)) s(g),          h' = s(o) c'   (state stays in [0, 1])
#include "isa_target.h"
#include "recurrence.h"

namespace rnnseq {
namespace RNNSEQ_ISA {

namespace {

// Padded steps keep the state and emit zeros (cells.ts, masking).
inline void carry_state(float* h_next, const float* h_prev, float* c_next, const float* c_prev, int n) {
  std::memmove(h_next, h_prev, sizeof(float) * n);
  std::memmove(c_next, c_prev, sizeof(float) * n);
}

// Which of the three memory-cell equations a step runs; a template parameter so each is its own inner loop.
enum class Variant { lstm, cifg, cifg_bounded };

template <Variant kVariant>
void forward_step(ForwardThread& th, int i) {
  constexpr bool kCifg = kVariant != Variant::lstm;
  constexpr bool kBounded = kVariant == Variant::cifg_bounded;
  constexpr int G = kCifg ? 3 : 4;
  const Dims& d = th.d;
  const int t = th.time_of(i);
  const RowView zc = th.z(i), zn = th.z(i + 1), cc = th.c(i), cn = th.c(i + 1), gv = th.g(i);
  const int padded = d.chunks * W;
  const float* bias = th.panels.bias.data();

  rows_times_blocks<G>(th.nr, d.D + d.H, zc.p, zc.rs, th.panels.gates.data(), d.chunks, th.tile.data(),
                       [&](int r, int jb, const float* acc) {
    const int j0 = jb * W;
    const int n = std::min(W, d.H - j0);
    if (!th.real[r]) {
      carry_state(zn.h(r) + j0, zc.h(r) + j0, cn.row(r) + j0, cc.row(r) + j0, n);
      return th.emit_padding(r, t, j0, n);
    }
    V a[G];
    for (int q = 0; q < G; ++q) a[q] = add(load(acc + q * W), load(bias + q * padded + j0));
    const V c_prev = load_n_or_full(cc.row(r) + j0, n);
    V act[G];
    V c;
    if constexpr (kCifg) {
      act[0] = sigmoid(a[0]);
      act[1] = kBounded ? sigmoid(a[1]) : tanh_approx(a[1]);
      act[2] = sigmoid(a[2]);
      // With f, c and g in [0, 1] this rounds to at most 1: 1 - f is exact or within half an ulp of it, and
      // f + fl(1 - f) rounds back to 1. So the bounded state never leaves [0, 1], in float32 too.
      c = fmadd(act[0], c_prev, mul(sub(set1(1.0f), act[0]), act[1]));
    } else {
      act[0] = sigmoid(a[0]);
      act[1] = sigmoid(a[1]);
      act[2] = tanh_approx(a[2]);
      act[3] = sigmoid(a[3]);
      c = fmadd(act[1], c_prev, mul(act[0], act[2]));
    }
    const V h = mul(act[G - 1], kBounded ? c : tanh_approx(c));
    store_n_or_full(zn.h(r) + j0, h, n);
    store_n_or_full(cn.row(r) + j0, c, n);
    th.emit(r, t, j0, h, n);
    if (gv.p)
      for (int q = 0; q < G; ++q) store_n_or_full(gv.row(r) + q * d.H + j0, act[q], n);
  });
}

template <Variant kVariant>
void backward_step(BackwardThread& th, int i) {
  constexpr bool kCifg = kVariant != Variant::lstm;
  constexpr bool kBounded = kVariant == Variant::cifg_bounded;
  constexpr int G = kCifg ? 3 : 4;
  const Dims& d = th.d;
  const int t = th.time_of(i);
  const RowView gv = th.g(i), cc = th.c(i), cn = th.c(i + 1);
  const V one = set1(1.0f);

  for (int r = 0; r < th.nr; ++r) {
    float* grow = gv.row(r);
    if (!th.real[r]) {
      // Zero pre-activation gradients: the step contributes nothing to dW, dU, db.
      std::memset(grow, 0, sizeof(float) * d.GH);
      continue;
    }
    float* dh = th.dh.data() + size_t(r) * d.H;
    float* dc = th.dc.data() + size_t(r) * d.H;
    const float* d_out = th.d_out(r, t);
    for (int j0 = 0; j0 < d.H; j0 += W) {
      const int n = std::min(W, d.H - j0);
      const V dht = add(load_n_or_full(dh + j0, n), load_n_or_full(d_out + j0, n));
      V act[G];
      for (int q = 0; q < G; ++q) act[q] = load_n_or_full(grow + q * d.H + j0, n);
      const V c_prev = load_n_or_full(cc.row(r) + j0, n);
      const V c_next = load_n_or_full(cn.row(r) + j0, n);
      // What h' exposes of c': tanh(c'), or c' itself in the bounded cell.
      const V tc = kBounded ? c_next : tanh_approx(c_next);
      const V o = act[G - 1];
      // dc_total = dc + dh * o * dtc/dc, with dtc/dc = 1 - tanh(c)^2, or 1 when bounded
      const V dct = kBounded ? fmadd(dht, o, load_n_or_full(dc + j0, n))
                             : fmadd(mul(dht, o), fnmadd(tc, tc, one), load_n_or_full(dc + j0, n));
      const V da_o = mul(mul(dht, tc), mul(o, sub(one, o)));
      V da[G];
      V f;
      if constexpr (kCifg) {
        f = act[0];
        const V g = act[1];
        da[0] = mul(mul(dct, sub(c_prev, g)), mul(f, sub(one, f)));
        // dg/da: 1 - g^2 for tanh, g (1 - g) for the bounded cell's sigmoid
        da[1] = mul(mul(dct, sub(one, f)), kBounded ? mul(g, sub(one, g)) : fnmadd(g, g, one));
        da[2] = da_o;
      } else {
        const V in = act[0], g = act[2];
        f = act[1];
        da[0] = mul(mul(dct, g), mul(in, sub(one, in)));
        da[1] = mul(mul(dct, c_prev), mul(f, sub(one, f)));
        da[2] = mul(mul(dct, in), fnmadd(g, g, one));
        da[3] = da_o;
      }
      store_n_or_full(dc + j0, mul(dct, f), n);
      for (int q = 0; q < G; ++q) store_n_or_full(grow + q * d.H + j0, da[q], n);
    }
  }

  // dh_prev = da U^T; padded rows keep their dh.
  rows_times_vectors<kBackwardVectors>(th.nr, d.GH, gv.p, gv.rs, th.panels.all.data(), d.chunks, th.tile.data(),
                                       [&](int r, int jb, const float* acc) {
    if (th.real[r]) th.store_dh(jb, acc, th.dh.data() + size_t(r) * d.H, false);
  });
  th.input_gradient(i, t);
}

}  // namespace

void forward_step_lstm(ForwardThread& th, int i) {
  const Shape& s = th.a.s;
  if (s.cell != Cell::cifg) forward_step<Variant::lstm>(th, i);
  else if (s.bounded) forward_step<Variant::cifg_bounded>(th, i);
  else forward_step<Variant::cifg>(th, i);
}

void backward_step_lstm(BackwardThread& th, int i) {
  const Shape& s = th.a.s;
  if (s.cell != Cell::cifg) backward_step<Variant::lstm>(th, i);
  else if (s.bounded) backward_step<Variant::cifg_bounded>(th, i);
  else backward_step<Variant::cifg>(th, i);
}

}  // namespace RNNSEQ_ISA
}  // namespace rnnseq

#include "isa_target_end.h"
