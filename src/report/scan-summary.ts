/**
 * Gathers what `scan --summary` draws while the scan streams: each sequence's calls, and its length. Lengths
 * come from a measured genome when scan has one (a file); from stdin they are read off the scan's progress (a
 * sequence's last event reports the input bases up to its end), exact when every sequence is scanned.
 */
import type { ScanEvent } from '../scan/scanner.js';
import type { SequenceLength } from '../seq/regions.js';
import type { ChromosomeCalls } from './density-svg.js';

export class ScanSummary {
  private readonly order: string[] = [];
  private readonly calls = new Map<string, Array<[number, number]>>();
  private readonly lastBasesDone = new Map<string, number>();

  add(event: ScanEvent): void {
    let calls = this.calls.get(event.chrom);
    if (!calls) {
      calls = [];
      this.calls.set(event.chrom, calls);
      this.order.push(event.chrom);
    }
    for (const region of event.regions) calls.push([region.start, region.end]);
    this.lastBasesDone.set(event.chrom, Math.max(this.lastBasesDone.get(event.chrom) ?? 0, event.basesDone));
  }

  /** The sequences scanned, in genome order, with their lengths (measured ones when given). */
  chromosomes(measured?: readonly SequenceLength[]): ChromosomeCalls[] {
    const known = new Map(measured?.map((s) => [s.name, s.length]));
    let previousEnd = 0;
    return this.order.map((name) => {
      const end = this.lastBasesDone.get(name)!;
      const calls = this.calls.get(name)!;
      const lastCall = calls.reduce((furthest, [, callEnd]) => Math.max(furthest, callEnd), 0);
      const lengthBp = known.get(name) ?? Math.max(end - previousEnd, lastCall);
      previousEnd = end;
      return { name, lengthBp, calls };
    });
  }
}
