// Every CLI command, in help order. cli.ts wires them; tests call their run() directly.
import type { Command } from './types.js';
import { command as scan } from './scan.js';
import { command as collect } from './collect.js';
import { command as reconcile } from './reconcile.js';
import { command as query } from './query.js';
import { command as validate } from './validate.js';
import { command as capabilities } from './capabilities.js';
import { command as schema } from './schema.js';
import { command as demo } from './demo.js';
import { command as exportCmd } from './export.js';
import { command as plan } from './plan.js';
import { command as apply } from './apply.js';
import { command as rollback } from './rollback.js';
import { reportCommand as report } from './report.js';
import { runsCommand as runs } from './runs.js';
import { diffCommand as diff } from './diff.js';
import { explainCommand as explain } from './explain.js';
import { routeCommand as route } from './route.js';
import { command as baseline } from './baseline.js';
import { command as review } from './review.js';
import { historyCommand as history } from './history.js';
import { vacuumCommand as vacuum } from './vacuum.js';

export const COMMANDS: Command<any>[] = [demo, scan, collect, reconcile, report, route, runs, diff, history, explain, plan, apply, rollback, baseline, review, query, validate, capabilities, schema, exportCmd, vacuum];
