// tfjs-core ships its gradient functions apart from the ops, and its per-file ESM build cannot be imported by
// Node directly. The union package registers all of them (into tfjs-core's global registry) from one bundle.
// It also loads tfjs-layers, -converter, -data and -webgl: ~120 ms of a command's start with require, ~350 ms
// with an ESM import (Node scans the CommonJS bundle for export names first; src/engine/tf.ts). So only what takes
// gradients imports this file (trainer.ts, explain's saliency); classify, scan and embed start without it.
import { requirePackage } from './tf.js';

requirePackage('@tensorflow/tfjs');
