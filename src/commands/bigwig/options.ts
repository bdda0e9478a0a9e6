/** The options of `rnnseq bigwig`, as its definition (command.ts) parses them. */
export interface BigWigOptions {
  bedGraph: string;
  /** chromosome lengths from this genome (FASTA, .2bit or indexed FASTA) ... */
  genome?: string;
  /** ... or from a UCSC chrom.sizes (or samtools .fai) file */
  sizes?: string;
  out: string;
  quiet?: boolean;
  json?: boolean;
}
