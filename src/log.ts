import type { SingleBar } from 'cli-progress';

/**
 * Everything rnnseq says to a person goes through here, to stderr: stdout carries data only, so
 * `rnnseq scan ... | sort | bedtools merge` works. Progress bars and colour appear only on a TTY; `--json` turns
 * every message into one JSON object per line for batch-job log collectors; `--quiet` keeps only warnings.
 */
export interface LogOptions {
  quiet?: boolean;
  json?: boolean;
}

export interface Progress {
  update(done: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

type Chalk = typeof import('chalk').default;

export class Logger {
  private readonly tty: boolean;
  private chalk: Chalk | undefined;

  constructor(
    readonly options: LogOptions = {},
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(stream.isTTY) && !options.json && process.env.CI !== 'true';
  }

  /** Loads chalk only when it will be used, keeping `--help` fast. */
  async init(): Promise<this> {
    if (this.tty) this.chalk = (await import('chalk')).default;
    return this;
  }

  info(message: string, fields: Record<string, unknown> = {}): void {
    if (this.options.quiet) return;
    this.emit('info', message, fields);
  }

  warn(message: string, fields: Record<string, unknown> = {}): void {
    this.emit('warn', message, fields);
  }

  /** A structured record (an epoch's metrics): JSON in --json mode, else the given human line. */
  record(kind: string, fields: Record<string, unknown>, human: string): void {
    if (this.options.quiet) return;
    if (this.options.json) this.stream.write(`${JSON.stringify({ event: kind, ...fields })}\n`);
    else this.stream.write(`${human}\n`);
  }

  async progress(total: number, unit: string): Promise<Progress> {
    if (!this.tty || this.options.quiet) return { update() {}, stop() {} };
    const { SingleBar, Presets } = await import('cli-progress');
    const bar: SingleBar = new SingleBar(
      {
        stream: this.stream,
        format: `{bar} {percentage}% | {value}/{total} ${unit} | {status} | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: true,
      },
      Presets.shades_classic,
    );
    bar.start(total, 0, { status: '' });
    return {
      update: (done, payload) => bar.update(done, { status: '', ...payload }),
      stop: () => bar.stop(),
    };
  }

  private emit(level: 'info' | 'warn', message: string, fields: Record<string, unknown>): void {
    if (this.options.json) {
      this.stream.write(`${JSON.stringify({ level, message, ...fields })}\n`);
      return;
    }
    const prefix = level === 'warn' ? 'rnnseq: warning: ' : 'rnnseq: ';
    const text = prefix + message;
    this.stream.write(`${this.chalk && level === 'warn' ? this.chalk.yellow(text) : this.chalk ? this.chalk.dim(text) : text}\n`);
  }
}
