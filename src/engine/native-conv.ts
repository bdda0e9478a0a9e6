import { tf } from './tf.js';
import type { ConvPoolArgs } from './core.js';
import type { NativeAddon, NativeConvShape } from './native-addon.js';

/**
 * The convolutional front-end's convolution + bias + ReLU + mask + max-pool as one native call (src/native/conv.cc)
 * and one for its gradient, instead of the reference's host unfold, matMuls and pooling kernels (front-end.ts,
 * whose semantics it keeps, including which position of a tied window gets the gradient: the first).
 *
 * The forward records, per pooled output, the step its value came from (or none where the ReLU or the mask stops
 * the gradient); that Int32Array and the host copies of x and the kernel live in the gradient's closure, so nothing
 * is stored when no gradient is taken, and inference stores nothing at all.
 */
export function nativeConvPool(addon: NativeAddon, args: ConvPoolArgs): tf.Tensor3D {
  const { x, mask, kernel, bias, position, width, pool } = args;
  const [batch, steps, channels] = x.shape;
  const filters = kernel.shape[1];
  if (kernel.shape[0] !== width * channels) {
    throw new Error(`conv kernel has ${kernel.shape[0]} rows, expected width ${width} × ${channels} channels`);
  }
  const shape: NativeConvShape = { batch, steps, channels, width, filters, pool };
  const outShape: [number, number, number] = [batch, Math.ceil(steps / pool), filters];
  const outLength = outShape[0] * outShape[1] * outShape[2];
  const maskData = mask ? floatData(mask) : undefined;

  const forward = (
    xData: Float32Array,
    kernelData: Float32Array,
    biasData: Float32Array,
    positionData: Float32Array | undefined,
    argmax?: Int32Array,
  ) => {
    const out = new Float32Array(outLength);
    addon.convForward({
      ...shape,
      x: xData,
      ...(maskData ? { mask: maskData } : {}),
      kernel: kernelData,
      bias: biasData,
      ...(positionData ? { position: positionData } : {}),
      out,
      ...(argmax ? { argmax } : {}),
    });
    return tf.tensor3d(out, outShape);
  };
  if (args.inference) return forward(floatData(x), floatData(kernel), floatData(bias), position && floatData(position));

  // x is an input of the op only when its gradient is wanted; otherwise it is data, as in the reference's unfold.
  const withInput = args.inputGradient;
  // Inputs in this order: kernel, bias, then the per-step bias and x where present.
  const op = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const tensors = inputs as tf.Tensor[];
    const [kernelT, biasT] = tensors;
    const positionT = position ? tensors[2] : undefined;
    const xT = withInput ? tensors[position ? 3 : 2] : undefined;
    const xData = floatData(xT ?? x);
    const kernelData = floatData(kernelT!);
    const argmax = new Int32Array(outLength);
    return {
      value: forward(xData, kernelData, floatData(biasT!), positionT && floatData(positionT), argmax),
      gradFunc: (dy: tf.Tensor) => {
        const dOut = floatData(dy);
        const dKernel = new Float32Array(kernelData.length);
        const dBias = new Float32Array(filters);
        const dx = withInput ? new Float32Array(xData.length) : undefined;
        addon.convBackward({ ...shape, x: xData, kernel: kernelData, argmax, dOut, dKernel, dBias, ...(dx ? { dx } : {}) });
        const grads: tf.Tensor[] = [tf.tensor2d(dKernel, kernel.shape), tf.tensor1d(dBias)];
        if (position) grads.push(tf.tensor2d(positionGradient(addon, argmax, dOut, steps, filters, pool), [steps, filters]));
        if (dx) grads.push(tf.tensor3d(dx, x.shape));
        return grads;
      },
    };
  });
  const operands: tf.Tensor[] = [kernel, bias, ...(position ? [position] : []), ...(withInput ? [x] : [])];
  return op(...operands) as tf.Tensor3D;
}

/**
 * The per-step bias's gradient: each pooled output's gradient lands on the step it came from (argmax; −1 where the
 * ReLU or mask stopped it), summed over the batch in row order (in the addon: a JavaScript loop here took a tenth
 * of the recipe's native step).
 */
export function positionGradient(
  addon: NativeAddon,
  argmax: Int32Array,
  dOut: Float32Array,
  steps: number,
  filters: number,
  pool: number,
): Float32Array {
  const grad = new Float32Array(steps * filters);
  addon.positionGradient({ argmax, dOut, steps, filters, pool, grad });
  return grad;
}

function floatData(t: tf.Tensor): Float32Array {
  const values = t.dataSync();
  return values instanceof Float32Array ? values : Float32Array.from(values);
}
