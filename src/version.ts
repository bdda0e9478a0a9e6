import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** The package root, found by walking up from this module: works from src/ and from dist/src/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'rnnseq') return dir;
    } catch {
      // keep walking up
    }
    dir = dirname(dir);
  }
  throw new Error(`rnnseq package.json not found above ${fileURLToPath(import.meta.url)}`);
}

let cached: string | undefined;
export function rnnseqVersion(): string {
  cached ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return cached;
}
