// The remediation engine's library API (the CLI commands and `scan --mode enforce` call these).
export { planActions, writePlan, readPlan, planSummary, type PlanOptions } from './plan.js';
export { applyPlan, checkPlanCurrent, preconditionFails, type ApplyOptions, type ApplyResult, type ActionOutcome, type ApplyHooks } from './apply.js';
export { rollback, type RollbackOptions, type RollbackResult, type RollbackItem } from './rollback.js';
export type { Plan, PlannedAction, HeldFinding, Breaker, Rail, Precondition } from './types.js';
export type { JournalRow, ActionState } from './journal.js';
