/**
 * A render worker thread: renders and checks the groups of units the main thread sends
 * (group.ts), and sends back their files, hashes, hub views and findings (and writes the files,
 * for a first render). Its DeclaredSchemas are built from the schemas/crds/ sources the main
 * thread sends first.
 */
import { parentPort } from 'node:worker_threads';
import { loadDeclaredSchemas, type DeclaredSchemas } from '../check/declared-schemas.js';
import { renderGroup } from '../engine/unit-group.js';
import type { UnitEnvironment } from '../engine/units.js';
import { stageResults, type WorkerReply, type WorkerRequest } from './workers.js';

const port = parentPort!;
let declared: DeclaredSchemas | undefined;
let stage: string | undefined;
const envs = new Map<string, UnitEnvironment>();

port.on('message', (message: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    if (message.type === 'init') {
      declared = message.declaredSources.length > 0 ? loadDeclaredSchemas(new Map(message.declaredSources)) : undefined;
      stage = message.stage;
      reply = { type: 'ready' };
    } else if (message.type === 'env') {
      envs.set(message.env.name, message.env);
      return;
    } else {
      const inputs = message.units.map((unit) => ({ ...unit, env: envs.get(unit.plan.env)! }));
      const results = renderGroup(inputs, declared, false);
      // Written here; the contents need not travel back.
      if (stage !== undefined) stageResults(stage, results, true);
      reply = { type: 'results', id: message.id, results };
    }
  } catch (e) {
    reply = { type: 'fatal', error: (e as Error)?.stack ?? String(e) };
  }
  port.postMessage(reply);
});
