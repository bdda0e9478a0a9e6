import { EXIT_DATA, RnnseqError } from '../errors.js';
import type { Logger } from '../log.js';
import { type AlphabetName, getAlphabet } from './alphabet.js';
import { encodeSequence } from './dataset.js';
import type { GroupRule } from './groups.js';
import { type GroupInput, type SequenceGroup, readGroups } from './read-groups.js';
import { Random } from './random.js';
import { sampleWindows } from './sample-windows.js';
import type { PreparedData, ResumedData } from './training-data.js';
import type { EpochSampler, TrainingSet } from './training-set.js';

/** The shortest stretch worth a window: one symbol to read and one to predict. */
const MIN_WINDOW_BP = 2;

/**
 * A language model's data: every group's sequences (gaps stripped), the last --valid-fraction of each sequence
 * held out for validation (by position, so even one sequence per species validates), and fresh training windows
 * drawn every epoch from the rest.
 */
export async function prepareLmData(options: LmTrainingPlan, resumeSpec: ResumedData | undefined, log: Logger): Promise<PreparedData> {
  const { lm } = options;
  const input = lm.preloaded
    ? { groups: lm.preloaded.groups, alphabet: getAlphabet(lm.preloaded.alphabet), records: 0, recordsWithGaps: 0 }
    : await readGroups(lm.sources, lm.rule, resumeSpec ? (resumeSpec.alphabet as AlphabetName) : options.alphabet);
  if (input.recordsWithGaps > 0)
    log.info(`${input.recordsWithGaps} of ${input.records} records had alignment gaps ('-' or '.'); they were removed`);
  const { alphabet } = input;
  const trainParts: string[] = [];
  const validParts: string[] = [];
  for (const group of input.groups) {
    for (const sequence of group.sequences) {
      const cut = Math.round(sequence.length * (1 - options.validFraction));
      if (cut >= MIN_WINDOW_BP) trainParts.push(sequence.slice(0, cut));
      if (sequence.length - cut >= MIN_WINDOW_BP) validParts.push(sequence.slice(cut));
    }
  }
  if (trainParts.length === 0)
    throw new RnnseqError(
      `${lm.sources.map((s) => s.file).join(', ')}: no sequence is long enough to train a language model on`,
      EXIT_DATA,
    );
  const encode = (windows: string[]): TrainingSet => ({ items: windows.map((w) => encodeSequence(w, alphabet, null)) });
  const train: EpochSampler = { sample: (_epoch, random) => encode(sampleWindows(trainParts, lm.windowBp, lm.windowsPerEpoch, random)) };
  const validWindows = Math.max(64, Math.round(lm.windowsPerEpoch * options.validFraction));
  const valid = validParts.length > 0 ? encode(sampleWindows(validParts, lm.windowBp, validWindows, new Random(options.seed))) : undefined;
  const groups = Object.fromEntries(
    input.groups.map((g) => [g.name, { sequences: g.sequences.length, bp: g.sequences.reduce((n, s) => n + s.length, 0) }]),
  );
  return {
    alphabet,
    classes: [...alphabet.symbols],
    inputLength: null,
    train,
    ...(valid ? { valid } : {}),
    validDescription: valid ? `last ${options.validFraction} of each sequence, ${validWindows} windows, seed ${options.seed}` : 'none',
    sources: lm.preloaded ? 'phylo --train input' : lm.sources.map((s) => (s.group ? `${s.group}=${s.file}` : s.file)).join(', '),
    architecture: { task: 'lm' },
    summary: { groups: { rule: describeRule(lm.rule), members: groups }, windowBp: lm.windowBp, windowsPerEpoch: lm.windowsPerEpoch },
    trainItems: lm.windowsPerEpoch,
  };
}

/** What `train --task lm` (or `phylo --train`) says about a language model's data, its inputs opened by the caller. */
export interface LmTrainingPlan {
  lm: LmData;
  alphabet: AlphabetName | 'auto';
  validFraction: number;
  seed: number;
}

export interface LmData {
  sources: GroupInput[];
  rule: GroupRule;
  windowBp: number;
  windowsPerEpoch: number;
  /** groups already read (phylo --train), instead of sources */
  preloaded?: { groups: SequenceGroup[]; alphabet: AlphabetName };
}

function describeRule(rule: GroupRule): string {
  switch (rule.kind) {
    case 'record':
      return 'one group per record id';
    case 'tag':
      return `header tag ${rule.key}=`;
    case 'regex':
      return `--group-regex ${rule.pattern.source}`;
    case 'files':
      return 'one file per group (--group NAME=FILE)';
  }
}
