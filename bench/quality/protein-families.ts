/**
 * A generated protein-family task, the setting users compare rnnseq with HMMER in: a dozen families of diverged
 * homologues, a few hundred training sequences. Each family is a random root; four subfamily ancestors descend
 * from it, and every member from one of them, by substitutions that mostly stay within a physico-chemical group
 * and by short insertions and deletions; members are then cut and padded at the ends, as domains found in longer
 * proteins are. The model (rates, lengths, groups) was fixed before any method was scored on it: do not tune it.
 */
import type { Random } from '../../src/seq/random.js';
import type { BenchRecord } from './records.js';

export const AMINO_ACIDS = 'ACDEFGHIKLMNPQRSTVWY';

/** Background amino-acid frequencies (%, order of AMINO_ACIDS), close to UniProtKB/Swiss-Prot's composition. */
const BACKGROUND_WEIGHTS = [8.3, 1.4, 5.5, 6.8, 3.9, 7.1, 2.3, 5.9, 5.8, 9.7, 2.4, 4.1, 4.7, 3.9, 5.4, 6.6, 5.4, 6.9, 1.1, 2.9];

const CUMULATIVE: number[] = [];
for (const weight of BACKGROUND_WEIGHTS) CUMULATIVE.push((CUMULATIVE[CUMULATIVE.length - 1] ?? 0) + weight);
const TOTAL_WEIGHT = CUMULATIVE[CUMULATIVE.length - 1]!;

/** Residues that replace each other often in real alignments (hydrophobic, aromatic, hydroxyl, amide, acid, base). */
const SUBSTITUTION_GROUPS = ['AVLIM', 'FWY', 'ST', 'NQ', 'DE', 'KRH', 'G', 'P', 'C'];
const GROUP_OF = new Map(SUBSTITUTION_GROUPS.flatMap((group) => [...group].map((residue) => [residue, group] as const)));

const SUBFAMILIES = 4;
export const ROOT_LENGTH = { min: 120, max: 300 };
const SUBFAMILY_DIVERGENCE = { rate: 0.3, indel: 0.03 };
const MEMBER_DIVERGENCE = { rate: 0.25, indel: 0.03 };
/** Mean of the exponential whose floor, plus one, is the length of an insertion. */
const INSERTION_MEAN = 2;
/** Share of substitutions drawn within the residue's group (the rest from the background). */
const WITHIN_GROUP = 0.6;
/** At most this fraction of a member is cut from each end, and at most this many residues padded on each side. */
const END_CUT_FRACTION = 1 / 8;
const END_PADDING_MAX = 40;

export interface ProteinFamily {
  label: string;
  root: string;
  subfamilies: string[];
}

function backgroundResidue(random: Random): string {
  const u = random.next() * TOTAL_WEIGHT;
  let i = 0;
  while (i < CUMULATIVE.length - 1 && CUMULATIVE[i]! <= u) i++;
  return AMINO_ACIDS[i]!;
}

export function backgroundSequence(length: number, random: Random): string {
  let out = '';
  for (let i = 0; i < length; i++) out += backgroundResidue(random);
  return out;
}

/**
 * One substitution event: 60% a draw within the residue's group (which may give the residue itself), else, and for
 * one-member groups, a background draw.
 */
export function substitute(residue: string, random: Random): string {
  const group = GROUP_OF.get(residue)!;
  return random.next() < WITHIN_GROUP && group.length > 1 ? group[random.int(group.length)]! : backgroundResidue(random);
}

/** The length of an insertion: 1 + floor(Exp(mean 2)). */
export function insertionLength(random: Random): number {
  return 1 + Math.floor(-INSERTION_MEAN * Math.log(1 - random.next()));
}

/**
 * One generation of descent. Per residue: with probability indel/2 it is deleted; with indel/2 it is kept and
 * 1 + floor(Exp(mean 2)) background residues are inserted after it; otherwise it is substituted with probability
 * `rate` (60% within its group, which may give the residue itself; else, and for one-member groups, a background
 * draw) and kept.
 */
export function mutate(sequence: string, rate: number, indel: number, random: Random): string {
  let out = '';
  for (const residue of sequence) {
    const r = random.next();
    if (r < indel / 2) continue;
    if (r < indel) {
      out += residue + backgroundSequence(insertionLength(random), random);
      continue;
    }
    out += random.next() < rate ? substitute(residue, random) : residue;
  }
  return out;
}

/** `count` families labelled fam00, fam01, ...: a root of 120-300 background residues and four subfamily ancestors. */
export function drawFamilies(count: number, random: Random): ProteinFamily[] {
  return Array.from({ length: count }, (_, i) => {
    const root = backgroundSequence(ROOT_LENGTH.min + random.int(ROOT_LENGTH.max - ROOT_LENGTH.min + 1), random);
    const subfamilies = Array.from({ length: SUBFAMILIES }, () =>
      mutate(root, SUBFAMILY_DIVERGENCE.rate, SUBFAMILY_DIVERGENCE.indel, random),
    );
    return { label: familyLabel(i), root, subfamilies };
  });
}

/** The label of family `i`: fam00, fam01, ... */
export function familyLabel(i: number): string {
  return `fam${String(i).padStart(2, '0')}`;
}

/** A domain as found in a longer protein: cut by up to 1/8 at each end, then 0-`paddingMax` background residues each side. */
export function inProtein(domain: string, paddingMax: number, random: Random): string {
  const maxCut = Math.floor(domain.length * END_CUT_FRACTION);
  const left = random.int(maxCut + 1);
  const right = random.int(maxCut + 1);
  const core = domain.slice(left, domain.length - right);
  return backgroundSequence(random.int(paddingMax + 1), random) + core + backgroundSequence(random.int(paddingMax + 1), random);
}

/** `perFamily` members of every family, in turn (fam00, fam01, ..., fam00, ...), each drawn by `member`. */
export function membersInTurn<Family extends { label: string }>(
  families: readonly Family[],
  perFamily: number,
  member: (family: Family) => string,
): BenchRecord[] {
  const out: BenchRecord[] = [];
  for (let n = 0; n < perFamily; n++) for (const family of families) out.push({ sequence: member(family), label: family.label });
  return out;
}

/** One member: a mutated copy of a random subfamily ancestor, in a protein padded by 0-40 residues. */
function member(family: ProteinFamily, random: Random): string {
  const ancestor = family.subfamilies[random.int(family.subfamilies.length)]!;
  return inProtein(mutate(ancestor, MEMBER_DIVERGENCE.rate, MEMBER_DIVERGENCE.indel, random), END_PADDING_MAX, random);
}

/** `perFamily` members of every family, in turn (fam00, fam01, ..., fam00, ...), drawn from `random`. */
export function familyMembers(families: readonly ProteinFamily[], perFamily: number, random: Random): BenchRecord[] {
  return membersInTurn(families, perFamily, (family) => member(family, random));
}
