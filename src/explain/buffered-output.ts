import type { Output } from '../io/output.js';

/**
 * Collects text and hands it to an Output in pieces of about 1 MB. Output.write waits for 'drain' whenever the
 * stream's buffer is full, and each such wait leaves an 'error' and a 'close' listener behind on the stream
 * (src/io/output.ts), so per-sequence writes of a long explain run would pile them up past Node's warning
 * limit; large pieces keep the waits, and the leak, small.
 */
export class BufferedOutput {
  private parts: string[] = [];
  private chars = 0;

  constructor(
    private readonly output: Output,
    private readonly chunkChars = 1 << 20,
  ) {}

  async write(text: string): Promise<void> {
    this.parts.push(text);
    this.chars += text.length;
    if (this.chars >= this.chunkChars) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.parts.length > 0) await this.output.write(this.parts.join(''));
    this.parts = [];
    this.chars = 0;
  }
}
