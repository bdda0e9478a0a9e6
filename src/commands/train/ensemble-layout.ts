/**
 * Where an ensemble's members live in a run directory and which seed each trains with: shared by the flag parser
 * (--member K trains one member on its own) and the run that assembles them (ensemble.ts).
 */
import { join } from 'node:path';

/** RUN/members/K holds member K's own training run (best/, last/, metrics.tsv) and, once done, member.json. */
export const MEMBERS_DIR = 'members';
export const MEMBER_DONE_FILE = 'member.json';

export function memberDir(out: string, member: number): string {
  return join(out, MEMBERS_DIR, String(member));
}

/** Member K trains with seed + K - 1; member 1 is the run's own. */
export function memberSeed(seed: number, member: number): number {
  return seed + member - 1;
}
