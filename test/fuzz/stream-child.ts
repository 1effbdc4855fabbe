// Child of big-files.test.ts: one collection of the config given, in a process whose JS heap is capped by the parent
// (--max-old-space-size), so that finishing at all proves the input was streamed. Prints the outcome as one JSON line.
import { loadConfig } from '../../src/config/load.js';
import { Store } from '../../src/store/store.js';
import { collectStage } from '../../src/pipeline/scan.js';
import { silentLogger } from '../../src/log.js';

const loaded = await loadConfig(process.argv[2]!);
const store = await Store.open(loaded.config.database);
try {
  const { run, outcomes } = await collectStage(store, loaded, { log: silentLogger });
  process.stdout.write(JSON.stringify({ runId: run.run_id, status: run.status, outcomes: outcomes.map((o) => [o.tenant, o.status, o.rows]) }) + '\n');
} finally {
  store.close();
}
