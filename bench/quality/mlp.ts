/**
 * The one-hot MLP peer for fixed-length, aligned tasks (StatLog's BackProp row; the classic splice-junction and
 * promoter networks): the whole window one-hot and flattened, one hidden layer of 64 ReLU units with dropout 0.2,
 * softmax output; Adam (lr 1e-3, batch 64), L2 1e-4 on the weights, early stopping on the validation loss
 * (patience 10, at most 100 epochs), best weights kept. Written with @tensorflow/tfjs-core ops on the backend
 * rnnseq itself picks (wasm here), seeded, so a point reruns the same.
 */
import { tf } from '../../src/engine/tf.js';
import { initBackend } from '../../src/engine/backend.js';
import '../../src/engine/gradients.js';
import { Random } from '../../src/seq/random.js';

const HIDDEN = 64;
const DROPOUT = 0.2;
const LEARNING_RATE = 1e-3;
const BATCH = 64;
const L2 = 1e-4;
const MAX_EPOCHS = 100;
const PATIENCE = 10;

export interface MlpData {
  x: Float32Array; // [rows, features]
  labels: Int32Array;
}

export interface MlpResult {
  predict(x: Float32Array): Float32Array;
  bestEpoch: number;
}

export async function fitMlp(train: MlpData, valid: MlpData, features: number, numClasses: number, seed: number): Promise<MlpResult> {
  await initBackend('auto');
  const random = new Random(seed);
  const w1 = tf.variable(tf.randomNormal([features, HIDDEN], 0, Math.sqrt(2 / features), 'float32', random.seed()));
  const b1 = tf.variable(tf.zeros([HIDDEN]));
  const w2 = tf.variable(tf.randomNormal([HIDDEN, numClasses], 0, Math.sqrt(1 / HIDDEN), 'float32', random.seed()));
  const b2 = tf.variable(tf.zeros([numClasses]));
  const variables = [w1, b1, w2, b2];
  const logits = (x: tf.Tensor2D, training: boolean): tf.Tensor2D => {
    let h = tf.relu(tf.add(tf.matMul(x, w1), b1)) as tf.Tensor2D;
    if (training) h = tf.dropout(h, DROPOUT, undefined, random.seed()) as tf.Tensor2D;
    return tf.add(tf.matMul(h, w2), b2) as tf.Tensor2D;
  };
  const optimizer = tf.train.adam(LEARNING_RATE);
  const rows = train.labels.length;
  const validLoss = (): number =>
    tf.tidy(() => {
      const x = tf.tensor2d(valid.x, [valid.labels.length, features]);
      const y = tf.oneHot(tf.tensor1d(valid.labels, 'int32'), numClasses);
      return tf.losses.softmaxCrossEntropy(y, logits(x, false)).dataSync()[0]!;
    });

  let best = Infinity;
  let bestEpoch = 0;
  let bestWeights = variables.map((v) => tf.clone(v));
  const order = Array.from({ length: rows }, (_, i) => i);
  for (let epoch = 1; epoch <= MAX_EPOCHS && epoch - bestEpoch <= PATIENCE; epoch++) {
    random.shuffle(order);
    for (let start = 0; start < rows; start += BATCH) {
      const batch = order.slice(start, start + BATCH);
      const xb = new Float32Array(batch.length * features);
      batch.forEach((row, i) => xb.set(train.x.subarray(row * features, (row + 1) * features), i * features));
      const yb = Int32Array.from(batch, (row) => train.labels[row]!);
      tf.tidy(() => {
        const x = tf.tensor2d(xb, [batch.length, features]);
        const y = tf.oneHot(tf.tensor1d(yb, 'int32'), numClasses);
        optimizer.minimize(
          () =>
            tf.add(
              tf.losses.softmaxCrossEntropy(y, logits(x, true)),
              tf.mul(L2, tf.add(tf.sum(tf.square(w1)), tf.sum(tf.square(w2)))),
            ) as tf.Scalar,
          false,
          variables,
        );
      });
    }
    const loss = validLoss();
    if (loss < best) {
      best = loss;
      bestEpoch = epoch;
      for (const t of bestWeights) t.dispose();
      bestWeights = variables.map((v) => tf.clone(v));
    }
  }
  variables.forEach((v, i) => v.assign(bestWeights[i]!));
  return {
    bestEpoch,
    predict: (x) => tf.tidy(() => tf.softmax(logits(tf.tensor2d(x, [x.length / features, features]), false)).dataSync() as Float32Array),
  };
}
