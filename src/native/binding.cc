// Node-API surface of the native recurrent kernels. JavaScript owns every buffer (Float32Arrays); calls are
// synchronous and validate sizes before any kernel touches memory.
//
//   simdLevel() -> "avx512f" | "avx2" | "generic"      supportedSimdLevels() -> string[]
//   setSimdLevel(name) -> name                          (a lower level, for tests and for odd nodes)
//   threads() -> n                                      setThreads(n)
//   workspaceSize(shape) -> floats kept by a training forward for its backward
//   forward({...shape, x, mask?, h0, c0?, kernel, recurrent, bias, out, hT, cT?, workspace?, poolMax?, poolSum?} | [...])
//     an array runs independent sweeps (a layer's directions) side by side on the threads; their outputs must
//     not overlap (checked)
//     poolMax [B, H]: max(poolMax, h_t) over real steps, in place; poolSum [B, H]: poolSum + h_t over real steps;
//     `out` may be absent in inference
//   backward({...shape, mask?, kernel, recurrent, workspace, dOut, dhT, dcT?, dx, dh0, dc0?, dKernel, dRecurrent, dBias})
// shape = {cell: "lstm"|"gru"|"rnn"|"cifg", batch, steps, inputSize, hidden, reverse, bounded?}
//   convForward({...conv, x, mask?, kernel, bias, position?, out, argmax?})
//   convBackward({...conv, x, kernel, argmax, dOut, dKernel, dBias, dx?})
// conv = {batch, steps, channels, width, filters, pool}: the convolutional front-end (conv_api.h)
//   dropoutMultiplier({out, rate, alea: Float64Array [s0, s1, s2, c], scale?})   tf.dropout's draws (step_ops.h)
//   positionGradient({argmax, dOut, steps, filters, grad})   the per-step bias gradient (step_ops.h)
//   adamwUpdate({grad, weights, first, second, scale, learningRate, keep, oneMinusAcc1, oneMinusAcc2, epsilon, decay})
//   averageUpdate({shadow, weights, decay})   sumOfSquares(values, start) -> number   (fused-adamw.ts's loops)
//   addInPlace(values, other)   multiplyInPlace(values, other)   (Float32Arrays of one length)
//   maxOverSteps({values, mask?, padValue, batch, steps, features, into, stride, column, argmax, argStride, argColumn})
//   positionHead({x, kernel, bias, rows, width, classes, targets?, logProbs?, probs?, rowLoss?, scale?, dKernel?, dBias?, dx?})
//     -> loss sum
//     a per-position model's head and cross-entropy (step_ops.h)
#include <napi.h>
#include <xmmintrin.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "dispatch.h"
#include "step_ops.h"
#include "thread_pool.h"

namespace rnnseq {
namespace {

struct State {
  std::mutex mutex;  // one call at a time: the pool is shared by every Node thread that loaded the addon
  const KernelTable* kernels = nullptr;
  const ConvKernelTable* conv = nullptr;  // always the same level as `kernels`
  std::unique_ptr<ThreadPool> pool;
};

// Deliberately never destroyed: joining pool threads from static destructors during process exit gains nothing.
State& state() {
  static State* s = new State;
  return *s;
}

Cell parse_cell(const Napi::Env& env, const std::string& name) {
  if (name == "lstm") return Cell::lstm;
  if (name == "gru") return Cell::gru;
  if (name == "rnn") return Cell::rnn;
  if (name == "cifg") return Cell::cifg;
  throw Napi::TypeError::New(env, "unknown cell type '" + name + "'");
}

double number(const Napi::Object& o, const char* key) {
  const Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

int positive_int(const Napi::Object& o, const char* key, int min) {
  const double d = number(o, key);
  if (!(d >= min) || d > 1e9 || d != double(int64_t(d)))
    throw Napi::RangeError::New(o.Env(), std::string(key) + " must be an integer >= " + std::to_string(min));
  return int(d);
}

Shape parse_shape(const Napi::Object& o) {
  Shape s;
  const Napi::Value cell = o.Get("cell");
  if (!cell.IsString()) throw Napi::TypeError::New(o.Env(), "cell must be a string");
  s.cell = parse_cell(o.Env(), cell.As<Napi::String>().Utf8Value());
  s.batch = positive_int(o, "batch", 0);
  s.steps = positive_int(o, "steps", 0);
  s.input = positive_int(o, "inputSize", 1);
  s.hidden = positive_int(o, "hidden", 1);
  s.reverse = o.Get("reverse").ToBoolean().Value();
  s.bounded = o.Get("bounded").ToBoolean().Value();
  if (s.bounded && s.cell != Cell::cifg) throw Napi::TypeError::New(o.Env(), "bounded applies to the cifg cell only");
  return s;
}

ConvShape parse_conv_shape(const Napi::Object& o) {
  ConvShape s;
  s.batch = positive_int(o, "batch", 0);
  s.steps = positive_int(o, "steps", 0);
  s.channels = positive_int(o, "channels", 1);
  s.width = positive_int(o, "width", 1);
  s.filters = positive_int(o, "filters", 1);
  s.pool = positive_int(o, "pool", 1);
  // The kernels index padded positions, kernel rows and tap spans with int, and carry steps in float lanes while
  // pooling (exact below 2^24).
  if (s.steps >= (1 << 24) || double(s.width) * s.channels > 1e9 || double(s.width) * (s.filters + 16) > 1e9)
    throw Napi::RangeError::New(o.Env(), "convolution shape too large");
  return s;
}

bool is_typed(const Napi::Value& v, napi_typedarray_type type) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == type;
}

// A typed-array property of any length (the caller checks it against the others).
template <class Array>
Array any_length(const Napi::Object& o, const char* key, napi_typedarray_type type, const char* type_name) {
  const Napi::Value v = o.Get(key);
  if (!is_typed(v, type)) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be " + type_name);
  return v.As<Array>();
}

// A typed-array property of exactly `length` elements; null when optional and absent (undefined or null).
template <class Array, class Element>
Element* typed(const Napi::Object& o, const char* key, size_t length, napi_typedarray_type type, const char* type_name,
               bool optional) {
  const Napi::Value v = o.Get(key);
  if (optional && (v.IsUndefined() || v.IsNull())) return nullptr;
  Array a = any_length<Array>(o, key, type, type_name);
  if (a.ElementLength() != length)
    throw Napi::RangeError::New(o.Env(), std::string(key) + " has " + std::to_string(a.ElementLength()) +
                                             " elements, expected " + std::to_string(length));
  return a.Data();
}

int32_t* ints(const Napi::Object& o, const char* key, size_t length, bool optional = false) {
  return typed<Napi::Int32Array, int32_t>(o, key, length, napi_int32_array, "an Int32Array", optional);
}

// A Float32Array property of exactly `length` elements; null when optional and absent (undefined or null).
float* floats(const Napi::Object& o, const char* key, size_t length, bool optional = false) {
  return typed<Napi::Float32Array, float>(o, key, length, napi_float32_array, "a Float32Array", optional);
}

Napi::Float32Array float_array(const Napi::Object& o, const char* key) {
  return any_length<Napi::Float32Array>(o, key, napi_float32_array, "a Float32Array");
}

// Scatters by argmax trust the indices: each is a step in [0, steps) or -1 (no gradient), checked once here
// rather than written outside a buffer.
void check_steps(const Napi::Env& env, const int32_t* argmax, size_t n, size_t steps, const char* error) {
  for (size_t i = 0; i < n; ++i)
    if (argmax[i] < -1 || argmax[i] >= int64_t(steps)) throw Napi::RangeError::New(env, error);
}

// Gradients that fade over long sequences reach subnormal floats, which x86 cores handle in microcode ~100x
// slower; the kernels flush them to zero. The caller's mode is restored: this thread also runs JavaScript, whose
// doubles must keep IEEE subnormals.
class FlushSubnormals {
 public:
  FlushSubnormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040); }  // FTZ | DAZ
  ~FlushSubnormals() { _mm_setcsr(saved_); }
  FlushSubnormals(const FlushSubnormals&) = delete;
  FlushSubnormals& operator=(const FlushSubnormals&) = delete;

 private:
  unsigned saved_;
};

Parallel parallel_for(ThreadPool& pool) {
  return {pool.size(), [&pool](const std::function<void(int, int)>& body) {
            pool.run([&body](int index, int count) {
              FlushSubnormals scope;
              body(index, count);
            });
          }};
}

Napi::Value SimdLevel(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), state().kernels->name);
}

Napi::Value SupportedSimdLevels(const Napi::CallbackInfo& info) {
  const auto levels = supported_simd_levels();
  Napi::Array out = Napi::Array::New(info.Env(), levels.size());
  for (size_t i = 0; i < levels.size(); ++i) out.Set(uint32_t(i), levels[i]);
  return out;
}

Napi::Value SetSimdLevel(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(info.Env(), "setSimdLevel(name: string)");
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  const KernelTable* table = kernels_for(name);
  if (!table) throw Napi::RangeError::New(info.Env(), "SIMD level '" + name + "' is not supported on this CPU");
  std::lock_guard<std::mutex> lock(state().mutex);
  state().kernels = table;
  state().conv = conv_kernels_for(name);
  return Napi::String::New(info.Env(), table->name);
}

Napi::Value Threads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), state().pool->size()); }

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "setThreads(n: number)");
  const int n = std::clamp(info[0].As<Napi::Number>().Int32Value(), 1, 1024);
  std::lock_guard<std::mutex> lock(state().mutex);
  if (state().pool->size() != n) state().pool = std::make_unique<ThreadPool>(n);
  return Napi::Number::New(info.Env(), n);
}

Napi::Value WorkspaceSize(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(info.Env(), "workspaceSize(shape)");
  return Napi::Number::New(info.Env(), double(workspace_layout(parse_shape(info[0].As<Napi::Object>())).total));
}

Napi::Value Forward(const Napi::CallbackInfo& info) {
  const auto is_array = info.Length() >= 1 && info[0].IsArray();
  if (info.Length() < 1 || !(info[0].IsObject() || is_array))
    throw Napi::TypeError::New(info.Env(), "forward(options | options[])");
  std::vector<Napi::Object> objects;
  if (is_array) {
    const Napi::Array list = info[0].As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); ++i) {
      if (!list.Get(i).IsObject()) throw Napi::TypeError::New(info.Env(), "forward: every sweep must be an options object");
      objects.push_back(list.Get(i).As<Napi::Object>());
    }
    if (objects.empty()) return info.Env().Undefined();
  } else {
    objects.push_back(info[0].As<Napi::Object>());
  }
  std::vector<ForwardArgs> sweeps(objects.size());
  // What each sweep writes, as byte ranges: sweeps run side by side, so none may write where another reads or writes.
  using Ranges = std::vector<std::pair<const char*, const char*>>;
  std::vector<Ranges> written(objects.size()), read(objects.size());
  for (size_t k = 0; k < objects.size(); ++k) {
    const Napi::Object& o = objects[k];
    ForwardArgs& a = sweeps[k];
    a.s = parse_shape(o);
    const size_t B = a.s.batch, T = a.s.steps, D = a.s.input, H = a.s.hidden, GH = gate_count(a.s.cell) * H;
    const bool cell_state = has_cell_state(a.s.cell);
    a.x = floats(o, "x", B * T * D);
    a.mask = floats(o, "mask", B * T, true);
    a.h0 = floats(o, "h0", B * H);
    a.c0 = cell_state ? floats(o, "c0", B * H) : nullptr;
    a.W = floats(o, "kernel", D * GH);
    a.U = floats(o, "recurrent", H * GH);
    a.b = floats(o, "bias", GH);
    const size_t workspace_floats = workspace_layout(a.s).total;
    a.workspace = floats(o, "workspace", workspace_floats, true);
    a.pool_max = floats(o, "poolMax", B * H, true);
    a.pool_sum = floats(o, "poolSum", B * H, true);
    // Per-step outputs may be left out only in inference (training's backward reads them back through dOut's
    // shape, and the caller needs them there): a last-state, max- or mean-pooled top layer wants hT, poolMax or
    // poolSum alone.
    a.out = floats(o, "out", B * T * H, a.workspace == nullptr);
    a.hT = floats(o, "hT", B * H);
    a.cT = cell_state ? floats(o, "cT", B * H) : nullptr;
    const auto add = [](Ranges& to, const float* p, size_t n) {
      if (p) to.emplace_back(reinterpret_cast<const char*>(p), reinterpret_cast<const char*>(p + n));
    };
    add(written[k], a.out, B * T * H);
    add(written[k], a.hT, B * H);
    add(written[k], a.cT, B * H);
    add(written[k], a.pool_max, B * H);
    add(written[k], a.pool_sum, B * H);
    add(written[k], a.workspace, workspace_floats);
    add(read[k], a.x, B * T * D);
    add(read[k], a.mask, B * T);
    add(read[k], a.h0, B * H);
    add(read[k], a.c0, B * H);
  }
  const auto overlap = [](const Ranges& one, const Ranges& other) {
    for (const auto& [begin, end] : one)
      for (const auto& [other_begin, other_end] : other)
        if (begin < other_end && other_begin < end) return true;
    return false;
  };
  for (size_t k = 0; k < written.size(); ++k)
    for (size_t j = 0; j < written.size(); ++j)
      if (j != k && (overlap(written[k], written[j]) || overlap(written[k], read[j])))
        throw Napi::RangeError::New(info.Env(), "forward: one sweep of the call writes where another reads or writes");
  std::lock_guard<std::mutex> lock(state().mutex);
  state().kernels->forward(sweeps.data(), int(sweeps.size()), parallel_for(*state().pool));
  return info.Env().Undefined();
}

Napi::Value Backward(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(info.Env(), "backward(options)");
  const Napi::Object o = info[0].As<Napi::Object>();
  BackwardArgs a{};
  a.s = parse_shape(o);
  const size_t B = a.s.batch, T = a.s.steps, D = a.s.input, H = a.s.hidden, GH = gate_count(a.s.cell) * H;
  const bool cell_state = has_cell_state(a.s.cell);
  a.mask = floats(o, "mask", B * T, true);
  a.W = floats(o, "kernel", D * GH);
  a.U = floats(o, "recurrent", H * GH);
  a.workspace = floats(o, "workspace", workspace_layout(a.s).total);
  a.dOut = floats(o, "dOut", B * T * H);
  a.dhT = floats(o, "dhT", B * H);
  a.dcT = cell_state ? floats(o, "dcT", B * H) : nullptr;
  a.dx = floats(o, "dx", B * T * D);
  a.dh0 = floats(o, "dh0", B * H);
  a.dc0 = cell_state ? floats(o, "dc0", B * H) : nullptr;
  a.dW = floats(o, "dKernel", D * GH);
  a.dU = floats(o, "dRecurrent", H * GH);
  a.db = floats(o, "dBias", GH);
  std::lock_guard<std::mutex> lock(state().mutex);
  state().kernels->backward(a, parallel_for(*state().pool));
  return info.Env().Undefined();
}

Napi::Value ConvForward(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(info.Env(), "convForward(options)");
  const Napi::Object o = info[0].As<Napi::Object>();
  ConvForwardArgs a{};
  a.s = parse_conv_shape(o);
  const size_t B = a.s.batch, T = a.s.steps, C = a.s.channels, K = a.s.width, F = a.s.filters;
  const size_t P = (T + a.s.pool - 1) / a.s.pool;
  a.x = floats(o, "x", B * T * C);
  a.mask = floats(o, "mask", B * T, true);
  a.kernel = floats(o, "kernel", K * C * F);
  a.bias = floats(o, "bias", F);
  // The per-step bias covers the first positionRows steps (default: all T); a model's table has as many rows as
  // its training length, so a longer record needs no copy of it padded to its own length.
  a.position_rows = o.Has("positionRows") ? positive_int(o, "positionRows", 0) : int(T);
  if (size_t(a.position_rows) > T) a.position_rows = int(T);
  a.position = floats(o, "position", size_t(a.position_rows) * F, true);
  a.out = floats(o, "out", B * P * F);
  a.argmax = ints(o, "argmax", B * P * F, true);
  std::lock_guard<std::mutex> lock(state().mutex);
  state().conv->forward(a, parallel_for(*state().pool));
  return info.Env().Undefined();
}

Napi::Value ConvBackward(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(info.Env(), "convBackward(options)");
  const Napi::Object o = info[0].As<Napi::Object>();
  ConvBackwardArgs a{};
  a.s = parse_conv_shape(o);
  const size_t B = a.s.batch, T = a.s.steps, C = a.s.channels, K = a.s.width, F = a.s.filters;
  const size_t P = (T + a.s.pool - 1) / a.s.pool;
  a.x = floats(o, "x", B * T * C);
  a.kernel = floats(o, "kernel", K * C * F);
  a.argmax = ints(o, "argmax", B * P * F);
  a.dOut = floats(o, "dOut", B * P * F);
  a.dKernel = floats(o, "dKernel", K * C * F);
  a.dBias = floats(o, "dBias", F);
  a.dx = floats(o, "dx", B * T * C, true);
  check_steps(info.Env(), a.argmax, B * P * F, T, "argmax holds a step outside the sequence");
  std::lock_guard<std::mutex> lock(state().mutex);
  state().conv->backward(a, parallel_for(*state().pool));
  return info.Env().Undefined();
}

Napi::Value DropoutMultiplier(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(info.Env(), "dropoutMultiplier(options)");
  const Napi::Object o = info[0].As<Napi::Object>();
  Napi::Float32Array values = float_array(o, "out");
  const double r = number(o, "rate");
  if (!(r > 0 && r < 1)) throw Napi::RangeError::New(info.Env(), "rate must be in (0, 1)");
  double* s = typed<Napi::Float64Array, double>(o, "alea", 4, napi_float64_array, "a Float64Array", false);
  // Lags are multiples of 2^-32 in [0, 1), the carry an integer below 2091640: anything else is not Alea's state.
  uint64_t lags[3];
  for (int i = 0; i < 3; ++i) {
    const double scaled = s[i] * 4294967296.0;
    if (!(scaled >= 0 && scaled < 4294967296.0) || scaled != std::floor(scaled))
      throw Napi::RangeError::New(info.Env(), "alea lags must be multiples of 2^-32 in [0, 1)");
    lags[i] = uint64_t(scaled);
  }
  if (!(s[3] >= 0 && s[3] < 2091640) || s[3] != std::floor(s[3]))
    throw Napi::RangeError::New(info.Env(), "alea carry out of range");
  AleaState st{lags[0], lags[1], lags[2], uint64_t(s[3])};
  float* scaled = floats(o, "scale", values.ElementLength(), true);
  dropout_multiplier(st, float(1 - r), values.Data(), scaled, values.ElementLength());
  s[0] = double(st.s0) / 4294967296.0;
  s[1] = double(st.s1) / 4294967296.0;
  s[2] = double(st.s2) / 4294967296.0;
  s[3] = double(st.carry);
  return info.Env().Undefined();
}

Napi::Value MaxOverSteps(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(info.Env(), "maxOverSteps(options)");
  const Napi::Object o = info[0].As<Napi::Object>();
  MaxOverStepsArgs a{};
  a.batch = positive_int(o, "batch", 0);
  a.steps = positive_int(o, "steps", 1);
  a.features = positive_int(o, "features", 1);
  a.stride = positive_int(o, "stride", 1);
  a.column = positive_int(o, "column", 0);
  a.arg_stride = positive_int(o, "argStride", 1);
  a.arg_column = positive_int(o, "argColumn", 0);
  if (a.column + a.features > a.stride || a.arg_column + a.features > a.arg_stride)
    throw Napi::RangeError::New(info.Env(), "the features do not fit the output rows");
  a.pad_value = float(number(o, "padValue"));
  const size_t B = size_t(a.batch), T = size_t(a.steps), F = size_t(a.features);
  a.values = floats(o, "values", B * T * F);
  a.mask = floats(o, "mask", B * T, true);
  a.into = floats(o, "into", B * size_t(a.stride));
  a.argmax = ints(o, "argmax", B * size_t(a.arg_stride));
  max_over_steps(a);
  return info.Env().Undefined();
}

Napi::Value PositionGradient(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(info.Env(), "positionGradient(options)");
  const Napi::Object o = info[0].As<Napi::Object>();
  const size_t T = size_t(positive_int(o, "steps", 1)), F = size_t(positive_int(o, "filters", 1));
  const size_t pool = size_t(positive_int(o, "pool", 1)), P = (T + pool - 1) / pool;
  const size_t n = any_length<Napi::Int32Array>(o, "argmax", napi_int32_array, "an Int32Array").ElementLength();
  if (n % (P * F) != 0) throw Napi::RangeError::New(info.Env(), "argmax is not whole batch rows of pooled steps");
  const int32_t* argmax = ints(o, "argmax", n);
  const float* dOut = floats(o, "dOut", n);
  float* grad = floats(o, "grad", T * F);
  // The kernel adds each row's values to its own window's steps only; it counts what it accounted for, so an
  // argmax elsewhere is refused here rather than dropped silently (grad is then partly written: an error anyway).
  if (position_gradient(argmax, dOut, n / F, F, T, pool, grad) != n)
    throw Napi::RangeError::New(info.Env(), "argmax holds a step outside its pooling window");
  return info.Env().Undefined();
}

Napi::Value AdamWUpdate(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(info.Env(), "adamwUpdate(options)");
  const Napi::Object o = info[0].As<Napi::Object>();
  const size_t n = float_array(o, "weights").ElementLength();
  AdamWArgs a{};
  a.grad = floats(o, "grad", n);
  a.weights = floats(o, "weights", n);
  a.first = floats(o, "first", n);
  a.second = floats(o, "second", n);
  a.length = n;
  a.scale = number(o, "scale");
  a.learning_rate = number(o, "learningRate");
  a.keep = number(o, "keep");
  a.one_minus_acc1 = number(o, "oneMinusAcc1");
  a.one_minus_acc2 = number(o, "oneMinusAcc2");
  a.epsilon = number(o, "epsilon");
  a.decay = o.Get("decay").ToBoolean().Value();
  adamw_update(a);
  return info.Env().Undefined();
}

Napi::Value AverageUpdate(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(info.Env(), "averageUpdate(options)");
  const Napi::Object o = info[0].As<Napi::Object>();
  const size_t n = float_array(o, "shadow").ElementLength();
  average_update(floats(o, "shadow", n), floats(o, "weights", n), n, number(o, "decay"));
  return info.Env().Undefined();
}

Napi::Value SumOfSquares(const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || !is_typed(info[0], napi_float32_array) || !info[1].IsNumber())
    throw Napi::TypeError::New(info.Env(), "sumOfSquares(values: Float32Array, start: number)");
  const Napi::Float32Array values = info[0].As<Napi::Float32Array>();
  return Napi::Number::New(info.Env(), sum_of_squares(values.Data(), values.ElementLength(), info[1].As<Napi::Number>().DoubleValue()));
}

// Two Float32Arrays of one length, the first written: the elementwise helpers' arguments.
std::pair<float*, const float*> same_length_pair(const Napi::CallbackInfo& info, const char* name) {
  if (info.Length() < 2 || !is_typed(info[0], napi_float32_array) || !is_typed(info[1], napi_float32_array))
    throw Napi::TypeError::New(info.Env(), std::string(name) + "(values: Float32Array, other: Float32Array)");
  Napi::Float32Array values = info[0].As<Napi::Float32Array>(), other = info[1].As<Napi::Float32Array>();
  if (values.ElementLength() != other.ElementLength())
    throw Napi::RangeError::New(info.Env(), std::string(name) + ": the arrays differ in length");
  return {values.Data(), other.Data()};
}

Napi::Value AddInPlace(const Napi::CallbackInfo& info) {
  const auto [values, other] = same_length_pair(info, "addInPlace");
  add_in_place(values, other, info[0].As<Napi::Float32Array>().ElementLength());
  return info.Env().Undefined();
}

Napi::Value MultiplyInPlace(const Napi::CallbackInfo& info) {
  const auto [values, other] = same_length_pair(info, "multiplyInPlace");
  multiply_in_place(values, other, info[0].As<Napi::Float32Array>().ElementLength());
  return info.Env().Undefined();
}

Napi::Value PositionHead(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(info.Env(), "positionHead(options)");
  const Napi::Object o = info[0].As<Napi::Object>();
  PositionHeadArgs a{};
  a.rows = size_t(positive_int(o, "rows", 0));
  a.width = size_t(positive_int(o, "width", 1));
  a.classes = size_t(positive_int(o, "classes", 1));
  if (a.classes > 256) throw Napi::RangeError::New(info.Env(), "positionHead: at most 256 classes");
  a.x = floats(o, "x", a.rows * a.width);
  a.kernel = floats(o, "kernel", a.width * a.classes);
  a.bias = floats(o, "bias", a.classes);
  a.targets = ints(o, "targets", a.rows, true);
  a.log_probs = floats(o, "logProbs", a.rows * a.classes, true);
  a.probs = floats(o, "probs", a.rows * a.classes, true);
  a.row_loss = typed<Napi::Float64Array, double>(o, "rowLoss", a.rows, napi_float64_array, "a Float64Array", true);
  if (a.row_loss != nullptr && a.targets == nullptr) throw Napi::TypeError::New(info.Env(), "positionHead: rowLoss needs targets");
  a.d_kernel = floats(o, "dKernel", a.width * a.classes, true);
  a.d_bias = floats(o, "dBias", a.classes, true);
  a.dx = floats(o, "dx", a.rows * a.width, true);
  const bool any_gradient = a.d_kernel != nullptr || a.d_bias != nullptr || a.dx != nullptr;
  if (any_gradient && (a.d_kernel == nullptr || a.d_bias == nullptr || a.dx == nullptr || a.targets == nullptr))
    throw Napi::TypeError::New(info.Env(), "positionHead: gradients need targets, dKernel, dBias and dx together");
  if (a.targets != nullptr)
    for (size_t r = 0; r < a.rows; ++r)
      if (a.targets[r] >= int32_t(a.classes)) throw Napi::RangeError::New(info.Env(), "positionHead: a target is not a class");
  a.scale = a.d_kernel != nullptr ? number(o, "scale") : 0;
  std::lock_guard<std::mutex> lock(state().mutex);
  return Napi::Number::New(info.Env(), position_head(a, parallel_for(*state().pool)));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  {
    std::lock_guard<std::mutex> lock(state().mutex);
    if (!state().kernels) state().kernels = kernels_for(supported_simd_levels().front());
    if (!state().conv) state().conv = conv_kernels_for(state().kernels->name);
    if (!state().pool) state().pool = std::make_unique<ThreadPool>(1);
  }
  exports.Set("simdLevel", Napi::Function::New(env, SimdLevel));
  exports.Set("supportedSimdLevels", Napi::Function::New(env, SupportedSimdLevels));
  exports.Set("setSimdLevel", Napi::Function::New(env, SetSimdLevel));
  exports.Set("threads", Napi::Function::New(env, Threads));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("workspaceSize", Napi::Function::New(env, WorkspaceSize));
  exports.Set("forward", Napi::Function::New(env, Forward));
  exports.Set("backward", Napi::Function::New(env, Backward));
  exports.Set("convForward", Napi::Function::New(env, ConvForward));
  exports.Set("convBackward", Napi::Function::New(env, ConvBackward));
  exports.Set("dropoutMultiplier", Napi::Function::New(env, DropoutMultiplier));
  exports.Set("maxOverSteps", Napi::Function::New(env, MaxOverSteps));
  exports.Set("positionGradient", Napi::Function::New(env, PositionGradient));
  exports.Set("addInPlace", Napi::Function::New(env, AddInPlace));
  exports.Set("multiplyInPlace", Napi::Function::New(env, MultiplyInPlace));
  exports.Set("adamwUpdate", Napi::Function::New(env, AdamWUpdate));
  exports.Set("averageUpdate", Napi::Function::New(env, AverageUpdate));
  exports.Set("sumOfSquares", Napi::Function::New(env, SumOfSquares));
  exports.Set("positionHead", Napi::Function::New(env, PositionHead));
  return exports;
}

}  // namespace
}  // namespace rnnseq

static Napi::Object InitRnnseqNative(Napi::Env env, Napi::Object exports) { return rnnseq::Init(env, exports); }

NODE_API_MODULE(rnnseq_native, InitRnnseqNative)
