import { EXIT_DATA, RnnseqError, dataError } from '../errors.js';
import type { FastaInput } from '../io/fasta.js';
import { type Alphabet, type AlphabetName, detectAlphabet, getAlphabet } from './alphabet.js';
import { type GroupRule, type GroupSource, groupOf } from './groups.js';

/** A tree leaf's sequences, gaps removed, in input order. */
export interface SequenceGroup {
  name: string;
  sequences: string[];
  /** the records as in the file, gaps kept (only when asked: phylo --aligned) */
  aligned?: Array<{ id: string; file: string; line: number; row: string }>;
}

export interface GroupedInput {
  /** in order of first appearance */
  groups: SequenceGroup[];
  alphabet: Alphabet;
  records: number;
  /** records that had alignment gaps ('-' or '.'), which were removed */
  recordsWithGaps: number;
  /** records that were nothing but gaps, left out */
  emptyRecords: string[];
}

const GAP = /[-.]/g;

interface ReadRecord {
  file: string;
  id: string;
  line: number;
  group: string;
  /** as in the file: gaps kept, so a bad character is reported at its column in the alignment */
  sequence: string;
}

/**
 * Reads FASTA sources into groups. Aligned input is welcome: gaps are stripped (the caller says so once). With
 * --alphabet auto the alphabet is detected from all the sequences, then every residue is checked against it.
 */
/** A group source and its FASTA, opened by the caller. */
export interface GroupInput extends GroupSource {
  input: FastaInput;
}

export async function readGroups(
  sources: readonly GroupInput[],
  rule: GroupRule,
  requested: AlphabetName | 'auto',
  options: { keepAligned?: boolean } = {},
): Promise<GroupedInput> {
  const given = requested === 'auto' ? undefined : getAlphabet(requested);
  const readOptions = given ? { allowed: withGaps(given.allowed), alphabetLabel: `${given.label}, gaps - .` } : {};
  const records: ReadRecord[] = [];
  const firstSeen = new Map<string, { file: string; line: number }>();
  for (const source of sources) {
    for await (const record of source.input.records(readOptions)) {
      if (rule.kind === 'record') {
        const earlier = firstSeen.get(record.id);
        if (earlier) {
          throw dataError(
            { file: source.file, line: record.line, record: record.id },
            `the id was already used (${earlier.file}:${earlier.line}); each record is its own leaf, so ids must be unique (or group records with --group-tag or --group-regex)`,
          );
        }
        firstSeen.set(record.id, { file: source.file, line: record.line });
      }
      const group = groupOf(record, source, rule);
      records.push({ file: source.file, id: record.id, line: record.line, group, sequence: record.sequence });
    }
  }
  const alphabet = given ?? getAlphabet(detectAlphabet(records.map((r) => r.sequence)));
  if (!given) {
    const allowed = withGaps(alphabet.allowed);
    for (const record of records) checkResidues(record, alphabet, allowed);
  }

  const groups = new Map<string, SequenceGroup>();
  let recordsWithGaps = 0;
  const emptyRecords: string[] = [];
  for (const record of records) {
    const stripped = record.sequence.replace(GAP, '');
    if (stripped.length !== record.sequence.length) recordsWithGaps++;
    let group = groups.get(record.group);
    if (!group) groups.set(record.group, (group = { name: record.group, sequences: [] }));
    if (options.keepAligned) (group.aligned ??= []).push({ id: record.id, file: record.file, line: record.line, row: record.sequence });
    if (stripped.length === 0) emptyRecords.push(record.id);
    else group.sequences.push(stripped);
  }
  for (const group of groups.values()) {
    if (group.sequences.length === 0 && !options.keepAligned)
      throw new RnnseqError(`group '${group.name}' has no residues: its records are all gaps`, EXIT_DATA);
  }
  return { groups: [...groups.values()], alphabet, records: records.length, recordsWithGaps, emptyRecords };
}

function withGaps(allowed: Uint8Array): Uint8Array {
  const table = Uint8Array.from(allowed);
  for (const ch of '-.') table[ch.charCodeAt(0)] = 1;
  return table;
}

function checkResidues(record: ReadRecord, alphabet: Alphabet, allowed: Uint8Array): void {
  const { sequence } = record;
  for (let i = 0; i < sequence.length; i++) {
    if (!allowed[sequence.charCodeAt(i)]) {
      throw dataError(
        { file: record.file, line: record.line, record: record.id },
        `invalid character '${sequence[i]}' at position ${i + 1} for the detected alphabet (${alphabet.label}); give --alphabet if the detection is wrong`,
      );
    }
  }
}
