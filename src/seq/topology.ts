/**
 * Whether a FASTA record is a circular molecule (bacterial chromosome, plasmid, chloroplast, mitochondrion),
 * from its header description. The tags accepted, keys and values in any case:
 *
 *   topology=circular      the rnnseq / NCBI key (also topology=linear, to say so explicitly)
 *   [topology=circular]    as NCBI writes modifiers in FASTA definition lines
 *   circular=true          (also yes or 1; false, no or 0 say linear)
 *
 * An untagged record is linear. A `--circular` option makes every record circular whatever its tags.
 */
export type Topology = 'circular' | 'linear';

// key=value as a whole word, optionally inside [ ]: "x topology=circular", "[topology=Circular]", "circular=TRUE;".
const TAG = /(?:^|[\s[;,])(topology|circular)\s*=\s*([A-Za-z0-9]+)(?=$|[\s\];,])/gi;

/** The topology a header description declares, or undefined when it declares none. */
export function declaredTopology(description: string): Topology | undefined {
  let found: Topology | undefined;
  for (const [, key, value] of description.matchAll(TAG)) {
    const v = value!.toLowerCase();
    if (key!.toLowerCase() === 'topology') {
      if (v === 'circular' || v === 'linear') found = v;
    } else if (v === 'true' || v === 'yes' || v === '1') {
      found = 'circular';
    } else if (v === 'false' || v === 'no' || v === '0') {
      found = 'linear';
    }
  }
  return found;
}

/** Whether a record is treated as circular: always with --circular, else when its header says so. */
export function isCircular(description: string, forceCircular: boolean): boolean {
  return forceCircular || declaredTopology(description) === 'circular';
}
