// tfjs-core ships its gradient functions apart from the ops, and its per-file ESM build cannot be imported by
// Node directly. The union package registers all of them (into tfjs-core's global registry) from one bundle.
import '@tensorflow/tfjs';
