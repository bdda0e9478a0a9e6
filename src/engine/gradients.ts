// tfjs-core ships its gradient functions apart from the ops, and its per-file ESM build cannot be imported by
// Node directly. The union package registers all of them (into tfjs-core's global registry) from one bundle.
// It also loads tfjs-layers, -converter, -data and -webgl: ~250 ms of a command's start. So only what takes
// gradients imports this file (trainer.ts, explain's saliency); classify, scan and embed start without it.
import '@tensorflow/tfjs';
