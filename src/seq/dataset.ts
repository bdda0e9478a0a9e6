import type { FastaInput } from '../io/fasta.js';
import { EXIT_DATA, EXIT_USAGE, RnnseqError, dataError } from '../errors.js';
import { type Alphabet, type AlphabetName, detectAlphabet, getAlphabet } from './alphabet.js';
import { type EncodedSequence, cropToLength } from './batch.js';
import { slabFloats } from './float-slab.js';
import { headerTag } from './labels.js';

/** Where training labels come from: a header tag in each record, or one FASTA file per class. */
export type LabelSource =
  | { kind: 'tag'; files: FastaInput[]; tag: string }
  | { kind: 'files'; classes: Array<{ name: string; file: FastaInput }> };

export interface LabelledRecord {
  id: string;
  sequence: string;
  label: string;
  /** the header after the id: where condition and value tags live */
  description: string;
  /** where the record came from, for error messages */
  file: string;
  line: number;
}

const DETECTION_SAMPLE = 200;

function sourceFiles(source: LabelSource): FastaInput[] {
  return source.kind === 'tag' ? source.files : source.classes.map((c) => c.file);
}

/**
 * Settles the alphabet before the real read, so that read can validate every character against it and report
 * the exact line of a bad one. Detection looks at the first records of each file.
 */
export async function resolveAlphabet(requested: AlphabetName | 'auto', source: LabelSource): Promise<Alphabet> {
  if (requested !== 'auto') return getAlphabet(requested);
  const sample: string[] = [];
  for (const file of sourceFiles(source)) {
    if (file.name === '-') continue; // stdin can be read only once
    let n = 0;
    for await (const record of file.records()) {
      sample.push(record.sequence);
      if (++n >= DETECTION_SAMPLE) break;
    }
  }
  if (sample.length === 0) throw new RnnseqError('cannot detect the alphabet from stdin alone; give --alphabet', EXIT_USAGE);
  return getAlphabet(detectAlphabet(sample));
}

export async function readLabelled(source: LabelSource, alphabet: Alphabet): Promise<LabelledRecord[]> {
  const records: LabelledRecord[] = [];
  const readOptions = { allowed: alphabet.allowed, alphabetLabel: alphabet.label };
  if (source.kind === 'files') {
    for (const { name, file } of source.classes) {
      for await (const record of file.records(readOptions)) records.push({ ...record, label: name, file: file.name });
    }
    return records;
  }
  for (const file of source.files) {
    for await (const record of file.records(readOptions)) {
      const label = headerTag(record.description, source.tag);
      if (label === undefined || label === '') {
        throw dataError(
          { file: file.name, line: record.line, record: record.id },
          `no '${source.tag}=' tag in the header; label records with ${source.tag}=CLASS or use --class NAME=FILE`,
        );
      }
      records.push({ ...record, label, file: file.name });
    }
  }
  return records;
}

/** Every record of the files, unlabelled (regression targets and language models label them otherwise). */
export async function readRecords(files: readonly FastaInput[], alphabet: Alphabet): Promise<LabelledRecord[]> {
  const records: LabelledRecord[] = [];
  for (const file of files) {
    for await (const record of file.records({ allowed: alphabet.allowed, alphabetLabel: alphabet.label }))
      records.push({ ...record, label: '', file: file.name });
  }
  return records;
}

export function encodeSequence(sequence: string, alphabet: Alphabet, inputLength: number | null): EncodedSequence {
  const fitted = cropToLength(sequence, inputLength ?? undefined);
  const encoded = slabFloats(fitted.length * alphabet.size);
  alphabet.encodeInto(fitted, encoded, 0);
  return { encoded, length: fitted.length };
}

export function labelIndices(records: readonly LabelledRecord[], classes: readonly string[], what: string): Int32Array {
  const index = new Map(classes.map((c, i) => [c, i]));
  return Int32Array.from(records, (r) => {
    const i = index.get(r.label);
    if (i === undefined) {
      throw new RnnseqError(
        `${what}: record '${r.id}' has class '${r.label}', which the training data does not have (classes: ${classes.join(', ')})`,
        EXIT_DATA,
      );
    }
    return i;
  });
}

/**
 * Holds out a fraction of each class for validation, so a rare class is never missing from the validation set.
 * Returns index lists into the records, each in the original order.
 */
export function stratifiedSplit(
  labels: Int32Array,
  fraction: number,
  random: { shuffle<T>(items: T[]): T[] },
): { train: number[]; valid: number[] } {
  const byClass = new Map<number, number[]>();
  labels.forEach((label, i) => {
    const members = byClass.get(label);
    if (members) members.push(i);
    else byClass.set(label, [i]);
  });
  const valid: number[] = [];
  for (const key of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = random.shuffle(byClass.get(key)!.slice());
    valid.push(...members.slice(0, Math.round(members.length * fraction)));
  }
  const held = new Set(valid);
  const train = Array.from(labels.keys()).filter((i) => !held.has(i));
  return { train, valid: valid.sort((a, b) => a - b) };
}
