/**
 * A harder generated protein-family task, remote homologues, for where protein-families (all methods at 1.000) is
 * too easy: the same twelve families of background-composition roots (120-300 residues), four subfamily ancestors
 * each, substitutions mostly within a physico-chemical group, but
 *  - rates vary across sites: each root position is conserved (30%, at 0.15x the mean rate) or fast (the rest, at
 *    1.364x, so the mean is 1); a position keeps its rate through descent, an inserted residue is fast, and
 *    insertions and deletions fall on a position in proportion to its rate (loops, not the conserved core);
 *  - descent is deeper: along a branch of length t a position of rate r takes Poisson(t r) substitution events,
 *    root to subfamily ancestor t = 0.85, ancestor to member t = 0.65 (REMOTE_MODEL);
 *  - the domain sits in a longer protein: cut by up to 1/8 at each end, then 0-150 background residues each side.
 * The branch lengths were chosen from identity targets alone (a member vs another member of its subfamily 40-55%,
 * vs one of another subfamily of the family 25-35%, as in Pfam families; branches 0.65 and 0.85 put both near the
 * middle of their band), before any method was scored on the task; do not tune them on method results. Measured
 * without indels, position by position, 12 families x 40 members, seeds 1/2/3 (test/bench/protein-remote.test.ts
 * checks the bands): within a subfamily 47.5/46.3/47.3%, across subfamilies 30.2/28.9/30.0% (conserved sites 71-72%,
 * fast 12%), member to root 42-44%; members of different families ~6%, chance for this composition.
 */
import type { Random } from '../../src/seq/random.js';
import { ROOT_LENGTH, backgroundSequence, familyLabel, inProtein, insertionLength, membersInTurn, substitute } from './protein-families.js';
import type { BenchRecord } from './records.js';

export interface RemoteModel {
  subfamilies: number;
  /** share of root positions that are conserved, and their rate relative to the mean */
  conservedShare: number;
  conservedRate: number;
  /** expected substitution events per position of mean rate, root to subfamily ancestor and ancestor to member */
  subfamilyBranch: number;
  memberBranch: number;
  /** probability of an indel at a position of mean rate per unit of branch length (half insertions, half deletions) */
  indelPerUnit: number;
  /** at most this many background residues padded on each side of the domain */
  paddingMax: number;
}

export const REMOTE_MODEL: RemoteModel = {
  subfamilies: 4,
  conservedShare: 0.3,
  conservedRate: 0.15,
  subfamilyBranch: 0.85,
  memberBranch: 0.65,
  // 3-4% of mean-rate positions get an indel per branch, near protein-families' 3% per generation
  indelPerUnit: 0.05,
  paddingMax: 150,
};

/** A sequence with the relative substitution rate of each of its positions. */
export interface RatedSequence {
  residues: string;
  rates: number[];
}

export interface RemoteFamily {
  label: string;
  root: RatedSequence;
  subfamilies: RatedSequence[];
}

/** The rate of a fast position: the conserved and the fast rates average to 1. */
function fastRate(model: RemoteModel): number {
  return (1 - model.conservedShare * model.conservedRate) / (1 - model.conservedShare);
}

/** Knuth's method: fine for the means here (below 2). */
function poisson(mean: number, random: Random): number {
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = random.next(); p > limit; p *= random.next()) k++;
  return k;
}

/**
 * One branch of descent. Per position of rate r: Poisson(branch r) substitution events; then, with probability
 * indelPerUnit branch r, half the time it is deleted and half the time a fast background insertion follows it.
 */
export function descend(sequence: RatedSequence, branch: number, model: RemoteModel, random: Random): RatedSequence {
  const fast = fastRate(model);
  let residues = '';
  const rates: number[] = [];
  for (let i = 0; i < sequence.residues.length; i++) {
    const rate = sequence.rates[i]!;
    let residue = sequence.residues[i]!;
    for (let events = poisson(branch * rate, random); events > 0; events--) residue = substitute(residue, random);
    const indel = model.indelPerUnit * branch * rate;
    const u = indel > 0 ? random.next() : 1;
    if (u < indel / 2) continue;
    residues += residue;
    rates.push(rate);
    if (u < indel) {
      const inserted = backgroundSequence(insertionLength(random), random);
      residues += inserted;
      for (let j = 0; j < inserted.length; j++) rates.push(fast);
    }
  }
  return { residues, rates };
}

/** `count` families labelled fam00, fam01, ...: a rated root of 120-300 background residues and its subfamily ancestors. */
export function drawRemoteFamilies(count: number, random: Random, model: RemoteModel = REMOTE_MODEL): RemoteFamily[] {
  const fast = fastRate(model);
  return Array.from({ length: count }, (_, i) => {
    const residues = backgroundSequence(ROOT_LENGTH.min + random.int(ROOT_LENGTH.max - ROOT_LENGTH.min + 1), random);
    const rates = Array.from(residues, () => (random.next() < model.conservedShare ? model.conservedRate : fast));
    const root = { residues, rates };
    const subfamilies = Array.from({ length: model.subfamilies }, () => descend(root, model.subfamilyBranch, model, random));
    return { label: familyLabel(i), root, subfamilies };
  });
}

/** A member's whole domain, before it is cut and padded: the subfamily ancestor `subfamily` descended one branch. */
export function memberDomain(family: RemoteFamily, subfamily: number, random: Random, model: RemoteModel = REMOTE_MODEL): string {
  return descend(family.subfamilies[subfamily]!, model.memberBranch, model, random).residues;
}

/** `perFamily` members of every family, in turn: the domain of a random subfamily in a protein padded by 0-150 residues. */
export function remoteMembers(
  families: readonly RemoteFamily[],
  perFamily: number,
  random: Random,
  model: RemoteModel = REMOTE_MODEL,
): BenchRecord[] {
  return membersInTurn(families, perFamily, (family) =>
    inProtein(memberDomain(family, random.int(family.subfamilies.length), random, model), model.paddingMax, random),
  );
}
