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

export const COMMANDS: Command<any>[] = [demo, scan, collect, reconcile, query, validate, capabilities, schema, exportCmd];
