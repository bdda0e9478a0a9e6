/** An output that appears only when complete: committed (renamed into place) or aborted (temp files removed). */
export interface CommittableOutput {
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Runs a command's writing stage so that its outputs are committed only when every record went through, and
 * removed on any failure; the model (or whatever `release` frees) is freed either way.
 */
export async function writeThenCommit(output: CommittableOutput, release: () => void, write: () => Promise<void>): Promise<void> {
  try {
    await write();
    await output.commit();
  } catch (error) {
    await output.abort();
    throw error;
  } finally {
    release();
  }
}
