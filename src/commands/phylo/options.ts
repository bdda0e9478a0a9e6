/** The options of `rnnseq phylo`, as its definition (command.ts) parses them. */
import type { AlignedModel } from '../../phylo/aligned-distance.js';
import type { DistanceName } from '../../phylo/distance.js';
import type { TreeMethod } from '../../phylo/pipeline.js';
import type { AlphabetName } from '../../seq/alphabet.js';
import type { GroupRule, GroupSource } from '../../seq/groups.js';
import type { RuntimeOptions } from '../shared/runtime.js';

/**
 * What a model contributes: divergence: cross-entropy of each group under a model adapted to every other (default;
 * phylo/cross-entropy.ts); codes: per-position state codes; mean: the mean hidden state (see model-featurizer.ts).
 */
export const MODEL_FEATURES = ['divergence', 'codes', 'mean'] as const;
export type ModelFeatures = (typeof MODEL_FEATURES)[number];

/**
 * Where distances come from: the alignment-free k-mer baseline, an alignment's columns, a trained model, or a
 * model trained here.
 */
export type FeatureSource =
  | { kind: 'kmer'; k: number; canonical: boolean }
  | { kind: 'aligned'; model: AlignedModel }
  | { kind: 'model'; model: string; use: ModelFeatures; adaptEpochs: number; ensemble: number }
  | { kind: 'train'; use: ModelFeatures; adaptEpochs: number; ensemble: number };

export interface PhyloTreeOptions extends RuntimeOptions {
  mode: 'tree';
  sources: GroupSource[];
  rule: GroupRule;
  features: FeatureSource;
  alphabet: AlphabetName | 'auto';
  out?: string;
  matrix?: string;
  /** the tree drawn as SVG, bootstrap support on its branches */
  svg?: string;
  method: TreeMethod;
  distance: DistanceName;
  windowBp: number;
  /** 'all': every non-overlapping window instead of a sample */
  windowsPerGroup: number | 'all';
  bootstrap: number;
  seed: number;
  batchSize: number;
}

export interface PhyloCompareOptions {
  mode: 'compare';
  reference: string;
  tree: string;
  out?: string;
  quiet?: boolean;
  json?: boolean;
}

export type PhyloOptions = PhyloTreeOptions | PhyloCompareOptions;
