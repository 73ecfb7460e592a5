/**
 * `rendered-commit`: rendered/, checked to be what `render` writes, committed to the `rendered`
 * branch with its provenance (git/rendered-branch.ts), and pushed when asked. Committing never
 * renders anything new: a stale rendered/ is refused.
 */
import { BridgeError } from '../core/errors.js';
import { hasChanges, type FileChanges } from '../engine/changes.js';
import { commitRenderedBranch, type RenderedCommitResult } from '../git/rendered-branch.js';
import { renderProject, type AppDeps } from './render-project.js';

export interface CommitRequest {
  /** Push to this remote (fetching its tip first). */
  push?: string;
  allowDirty?: boolean;
  repoURL?: string;
  author?: string;
  committer?: string;
  /** The process environment (identities, tokens). */
  env: NodeJS.ProcessEnv;
}

/** Thrown when rendered/ is stale: carries the changes for the report. */
export class StaleRendered extends BridgeError {
  constructor(readonly changes: FileChanges) {
    super({ code: 'stale', message: 'rendered/ is not what `render` would write; refusing to commit it', hint: 'run `npm run render`, commit rendered/, then run rendered:commit again' });
  }
}

export async function commitCommand(request: CommitRequest, deps: AppDeps & { log: (line: string) => void }): Promise<RenderedCommitResult> {
  const release = await deps.workspace.lock('rendered-commit');
  try {
    const ws = deps.workspace;
    const run = await renderProject({ write: false }, deps);
    ws.saveRun(run.cache, deps.clock, run.outcome);
    if (hasChanges(run.changes)) throw new StaleRendered(run.changes);
    // Awaited here, not returned as a promise: the finally block would release the lock before the commit ran.
    return await commitRenderedBranch({
      projectRoot: ws.root,
      allowDirty: request.allowDirty,
      repoURL: request.repoURL,
      push: request.push,
      author: request.author,
      committer: request.committer,
      env: request.env,
      log: deps.log,
      // What rendered/ holds, as the render just now found it: path -> blob id, each file read only if the repository lacks its blob.
      rendered: { files: run.files, read: (path) => ws.renderedBytes(path) },
    });
  } finally {
    release();
  }
}
