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

/**
 * The default sample: 100 windows, or enough to cover a longer group 4 times. On 100-kb simulated genomes (8 taxa,
 * two lineages drifting to AT) the divergence from 100 windows per group got nRF 0.6-1 over three simulations and
 * 6-mers 0.8-1; from 2,000 (4x) it got 0-0.2, 6-mers still 0.8-1. A group short enough for 100 windows to cover it
 * 4 times (every shared set: 0.2-2.4 kb per taxon) samples exactly as before. The cap (200 kb covered 4 times)
 * bounds the cost, which grows with windows x groups.
 */
export const WINDOW_COVERAGE = { times: 4, min: 100, max: 4000 } as const;

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
  /** 'all': every non-overlapping window instead of a sample; 'cover': a sample sized to each group (WINDOW_COVERAGE) */
  windowsPerGroup: number | 'all' | 'cover';
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
