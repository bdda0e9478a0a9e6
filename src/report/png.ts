/**
 * SVG -> PNG by a screenshot in headless Chromium: the browser that draws the report draws the PNG, so the
 * two look the same, and no rasteriser (a native npm module, ImageMagick) has to be installed on a cluster.
 * Chromium is driven directly over its DevTools pipe, not through a driver library, so a global install needs
 * no extra npm package; a throwaway profile directory keeps it from touching the user's own browser profile.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { EXIT_RUNTIME, RnnseqError } from '../errors.js';

const BROWSER_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

/** RNNSEQ_CHROMIUM, else the first Chromium or Chrome on PATH; undefined when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.RNNSEQ_CHROMIUM) return env.RNNSEQ_CHROMIUM;
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of BROWSER_NAMES) {
      const path = join(dir, name);
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

export interface PngOptions {
  /** device pixels per SVG pixel: 2 gives print-quality figures */
  scale?: number;
  timeoutMs?: number;
}

export async function svgToPng(svg: string, width: number, height: number, options: PngOptions = {}): Promise<Buffer> {
  const browser = findChromium();
  if (!browser) {
    throw new RnnseqError(
      '--png needs Chromium or Chrome to render the figure: install it (Debian: apt-get install chromium) or set RNNSEQ_CHROMIUM=/path/to/chrome; --svg needs nothing',
      EXIT_RUNTIME,
    );
  }
  const work = await mkdtemp(join(tmpdir(), 'rnnseq-png-'));
  try {
    const page = join(work, 'figure.html');
    await writeFile(
      page,
      `<!DOCTYPE html><html><head><meta charset="utf-8"><style>html,body{margin:0;padding:0;background:#fff}svg{display:block}</style></head><body>${svg}</body></html>`,
    );
    const session = await DevToolsPipe.launch(browser, work, options.timeoutMs ?? 60_000);
    try {
      const { targetId } = (await session.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
      const { sessionId } = (await session.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
      const w = Math.ceil(width);
      const h = Math.ceil(height);
      await session.send('Page.enable', {}, sessionId);
      await session.send(
        'Emulation.setDeviceMetricsOverride',
        { width: w, height: h, deviceScaleFactor: options.scale ?? 2, mobile: false },
        sessionId,
      );
      const loaded = session.waitFor('Page.loadEventFired', sessionId);
      await session.send('Page.navigate', { url: pathToFileURL(page).href }, sessionId);
      await loaded;
      // A clip of exactly the figure: the PNG is the SVG's size (times the scale), whatever the window's.
      const shot = (await session.send(
        'Page.captureScreenshot',
        { format: 'png', clip: { x: 0, y: 0, width: w, height: h, scale: 1 }, captureBeyondViewport: true },
        sessionId,
      )) as { data: string };
      return Buffer.from(shot.data, 'base64');
    } finally {
      await session.close();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe: JSON messages ending in NUL,
 * commands on fd 3, replies and events on fd 4). No port is opened, and nothing but this process can drive it.
 */
class DevToolsPipe {
  private nextId = 1;
  private buffer = '';
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private readonly waiters: Array<{ method: string; sessionId?: string; resolve(): void; reject(error: Error): void }> = [];
  private failure: Error | undefined;
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly browser: string,
    private readonly timer: NodeJS.Timeout,
  ) {}

  static async launch(browser: string, work: string, timeoutMs: number): Promise<DevToolsPipe> {
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--hide-scrollbars',
      '--disable-extensions',
      '--disable-background-networking',
      `--user-data-dir=${join(work, 'profile')}`,
      '--remote-debugging-pipe',
      'about:blank',
    ];
    const child = spawn(browser, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const pipe = new DevToolsPipe(child, browser, timer);
    const keep = (chunk: Buffer) => {
      if (pipe.output.length < 1 << 16) pipe.output += chunk.toString();
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    (child.stdio[4] as Readable).on('data', (chunk: Buffer) => pipe.receive(chunk.toString('utf8')));
    (child.stdio[3] as Writable).on('error', () => undefined); // reported through 'close' below
    child.on('error', (error) => pipe.fail(new RnnseqError(`cannot start ${browser}: ${error.message}`, EXIT_RUNTIME)));
    child.on('close', (code) => {
      clearTimeout(timer);
      const reason = pipe.output.split('\n').find((l) => /error|cannot|failed/i.test(l) && !/dbus|bus\.cc|object_proxy/i.test(l));
      pipe.fail(
        new RnnseqError(
          `${browser} stopped before the PNG was rendered (exit ${String(code)}${reason ? `: ${reason.trim().slice(0, 200)}` : ''})`,
          EXIT_RUNTIME,
        ),
      );
    });
    return pipe;
  }

  send(method: string, params: Record<string, unknown>, sessionId?: string): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const message = JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) });
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      (this.child.stdio[3] as Writable).write(`${message}\0`);
    });
  }

  waitFor(method: string, sessionId?: string): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ method, ...(sessionId ? { sessionId } : {}), resolve, reject }));
  }

  async close(): Promise<void> {
    if (!this.failure) await this.send('Browser.close', {}).catch(() => undefined);
    clearTimeout(this.timer);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('close', resolve));
      setTimeout(() => this.child.kill('SIGKILL'), 5000).unref();
      await exited;
    }
  }

  private receive(text: string): void {
    this.buffer += text;
    let end: number;
    while ((end = this.buffer.indexOf('\0')) >= 0) {
      const message = JSON.parse(this.buffer.slice(0, end)) as {
        id?: number;
        method?: string;
        sessionId?: string;
        result?: unknown;
        error?: { message: string };
      };
      this.buffer = this.buffer.slice(end + 1);
      if (message.id !== undefined) {
        const waiting = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) waiting?.reject(new RnnseqError(`${this.browser}: ${message.error.message}`, EXIT_RUNTIME));
        else waiting?.resolve(message.result);
      } else if (message.method) {
        for (let i = this.waiters.length - 1; i >= 0; i--) {
          const waiter = this.waiters[i]!;
          if (waiter.method === message.method && (waiter.sessionId === undefined || waiter.sessionId === message.sessionId)) {
            this.waiters.splice(i, 1);
            waiter.resolve();
          }
        }
      }
    }
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
    for (const { reject } of this.waiters.splice(0)) reject(error);
  }
}
