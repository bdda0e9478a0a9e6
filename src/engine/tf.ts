import { createRequire } from 'node:module';
import type * as Tf from '@tensorflow/tfjs-core';

const require = createRequire(import.meta.url);

/**
 * TensorFlow.js core, loaded with `require`. The package is a 1.5 MB CommonJS bundle: an ESM `import` of it makes
 * Node scan the whole file for its export names first, ~150 ms of every command that touches the engine (more than
 * classifying a few thousand sequences takes). `require` returns the same module instance the backends register
 * with.
 */
export const tf: typeof Tf = require('@tensorflow/tfjs-core');

// The types the engine names as `tf.X`, so one import serves values and types alike.
export declare namespace tf {
  type Tensor = Tf.Tensor;
  type Tensor1D = Tf.Tensor1D;
  type Tensor2D = Tf.Tensor2D;
  type Tensor3D = Tf.Tensor3D;
  type Tensor4D = Tf.Tensor4D;
  type Scalar = Tf.Scalar;
  type Variable = Tf.Variable;
  type GradSaveFunc = Tf.GradSaveFunc;
  type TypedArray = Tf.TypedArray;
  type TensorContainer = Tf.TensorContainer;
  type NamedTensorMap = Tf.NamedTensorMap;
  type AdamOptimizer = Tf.AdamOptimizer;
}

/** Loads an optional CommonJS package (a backend) the same way, skipping the export scan; throws if absent. */
export function requirePackage(name: string): unknown {
  return require(name);
}
