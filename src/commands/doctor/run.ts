import os from 'node:os';
import type { BackendRequest } from '../../engine/backend.js';
import { rnnseqVersion } from '../../version.js';

export interface DoctorOptions {
  backend: BackendRequest;
  json: boolean;
}

/** rnnseq doctor: what would run here and why, as facts to paste into a bug report or a cluster ticket. */
export async function run(options: DoctorOptions): Promise<void> {
  const { initBackend } = await import('../../engine/backend.js');
  const { selectCore } = await import('../../engine/select-core.js');
  const backend = await initBackend(options.backend);
  const engine = await selectCore('auto', backend);
  const facts = {
    rnnseq: rnnseqVersion(),
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
    cpus: os.availableParallelism(),
    backend: backend.name,
    backendDetail: backend.detail + (backend.why ? `; ${backend.why}` : ''),
    engine: engine.description,
    envThreads: {
      SLURM_CPUS_PER_TASK: process.env.SLURM_CPUS_PER_TASK ?? null,
      OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? null,
      RNNSEQ_THREADS: process.env.RNNSEQ_THREADS ?? null,
    },
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(facts)}\n`);
    return;
  }
  const width = Math.max(...Object.keys(facts).map((k) => k.length));
  for (const [key, value] of Object.entries(facts)) {
    process.stdout.write(`${key.padEnd(width)}  ${typeof value === 'object' ? JSON.stringify(value) : String(value)}\n`);
  }
}
