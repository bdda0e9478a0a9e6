/** The bench's own view of a labelled sequence, and the few operations every task needs on lists of them. */
import { writeFileSync } from 'node:fs';
import { Random } from '../../src/seq/random.js';
import { headerTag } from '../../src/seq/labels.js';
import { readFasta } from '../../src/io/fasta.js';

export interface BenchRecord {
  sequence: string;
  label: string;
  /** value of the task's condition tag (cell=...), for tasks whose label depends on a condition */
  condition?: string;
  /** a grouping for grouped hold-outs (coiled-coil similarity clusters) */
  group?: string;
  /** the split tag of the source, where it has one */
  split?: string;
}

/** Reads a FASTA file (.gz allowed) whose headers carry label=, split=, group= tags. */
export async function readTagged(file: string, options: { labelTag?: string; conditionTag?: string } = {}): Promise<BenchRecord[]> {
  const out: BenchRecord[] = [];
  for await (const record of readFasta(file)) {
    const label = headerTag(record.description, options.labelTag ?? 'label');
    if (label === undefined) throw new Error(`${file}:${record.line}: no ${options.labelTag ?? 'label'}= tag`);
    const item: BenchRecord = { sequence: record.sequence, label };
    const split = headerTag(record.description, 'split');
    const group = headerTag(record.description, 'group');
    if (split !== undefined) item.split = split;
    if (group !== undefined) item.group = group;
    if (options.conditionTag) item.condition = headerTag(record.description, options.conditionTag) ?? '';
    out.push(item);
  }
  return out;
}

/**
 * FASTA the way rnnseq reads it: ids r0, r1, ... (the sources repeat ids; the bench keys rows by order), label=,
 * and the condition tag when the task has one.
 */
export function writeTagged(file: string, records: readonly BenchRecord[], conditionTag?: string): void {
  const lines = records.map((r, i) => `>r${i} label=${r.label}${conditionTag ? ` ${conditionTag}=${r.condition}` : ''}\n${r.sequence}\n`);
  writeFileSync(file, lines.join(''));
}

/** Stable string hash (FNV-1a), so each task draws its own random stream from the same seed. */
export function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export function seededRandom(task: string, seed: number, purpose: string): Random {
  return new Random(hashName(`${task}/${purpose}`) ^ Math.imul(seed, 0x9e3779b1));
}

/** `size` records drawn without replacement, each class in proportion; the drawn records keep their input order. */
export function stratifiedSample(records: readonly BenchRecord[], size: number, random: Random): BenchRecord[] {
  if (size >= records.length) return records.slice();
  const byLabel = groupIndices(records, (r) => r.label);
  const chosen: number[] = [];
  const labels = [...byLabel.keys()].sort();
  let left = size;
  labels.forEach((label, i) => {
    const members = random.shuffle(byLabel.get(label)!.slice());
    const take = i === labels.length - 1 ? left : Math.min(left, Math.round((members.length / records.length) * size));
    chosen.push(...members.slice(0, take));
    left -= take;
  });
  return chosen.sort((a, b) => a - b).map((i) => records[i]!);
}

/** A stratified hold-out of about `fraction` of each class. */
export function stratifiedHoldout(
  records: readonly BenchRecord[],
  fraction: number,
  random: Random,
): { train: BenchRecord[]; test: BenchRecord[] } {
  const held = new Set<number>();
  const byLabel = groupIndices(records, (r) => r.label);
  for (const label of [...byLabel.keys()].sort()) {
    const members = random.shuffle(byLabel.get(label)!.slice());
    for (const i of members.slice(0, Math.round(members.length * fraction))) held.add(i);
  }
  return { train: records.filter((_, i) => !held.has(i)), test: records.filter((_, i) => held.has(i)) };
}

/** Whole groups held out until they hold at least `fraction` of the records: no cluster on both sides. */
export function groupedHoldout(
  records: readonly BenchRecord[],
  fraction: number,
  random: Random,
): { train: BenchRecord[]; test: BenchRecord[] } {
  const byGroup = groupIndices(records, (r) => r.group ?? '');
  const groups = random.shuffle([...byGroup.keys()].sort());
  const held = new Set<number>();
  for (const group of groups) {
    if (held.size >= fraction * records.length) break;
    for (const i of byGroup.get(group)!) held.add(i);
  }
  return { train: records.filter((_, i) => !held.has(i)), test: records.filter((_, i) => held.has(i)) };
}

function groupIndices(records: readonly BenchRecord[], key: (r: BenchRecord) => string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  records.forEach((r, i) => {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(i);
    else out.set(k, [i]);
  });
  return out;
}
