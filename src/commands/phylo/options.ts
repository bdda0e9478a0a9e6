/** The options of `rnnseq phylo`, as its definition (command.ts) parses them. */
import type { DistanceName } from '../../phylo/distance.js';
import type { TreeMethod } from '../../phylo/pipeline.js';
import type { AlphabetName } from '../../seq/alphabet.js';
import type { GroupRule, GroupSource } from '../../seq/groups.js';
import type { RuntimeOptions } from '../shared/runtime.js';

/** Where window vectors come from: the alignment-free k-mer baseline, a trained model, or a model trained here. */
/** codes: per-position state codes (default); mean: the mean hidden state (see phylo-model.ts). */
export const MODEL_FEATURES = ['codes', 'mean'] as const;
export type ModelFeatures = (typeof MODEL_FEATURES)[number];

export type FeatureSource =
  | { kind: 'kmer'; k: number; canonical: boolean }
  | { kind: 'model'; model: string; use: ModelFeatures }
  | { kind: 'train'; use: ModelFeatures };

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
