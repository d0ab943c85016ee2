/** One line of the doctor's report: what was checked, how it went, and what to do about it. */
import { redactSecrets } from '../targets/local/redact.js';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  /** Stable id, e.g. "docker-engine", "container-port", "last-deploy.missing-env-var". */
  id: string;
  status: CheckStatus;
  /** One line: what was found. Never contains a secret value. */
  message: string;
  /** One line: what to change; null when there is nothing to do. */
  fix: string | null;
  /** Supporting lines (the app's last log lines, the permissions denied, ...). */
  details?: string[];
}

export const pass = (id: string, message: string, details?: string[]): CheckResult => ({ id, status: 'pass', message, fix: null, ...(details ? { details } : {}) });
export const warn = (id: string, message: string, fix: string | null, details?: string[]): CheckResult => ({ id, status: 'warn', message, fix, ...(details ? { details } : {}) });
export const fail = (id: string, message: string, fix: string, details?: string[]): CheckResult => ({ id, status: 'fail', message, fix, ...(details ? { details } : {}) });

/** The result with every secret value (and each line of a multi-line one) masked in its message, fix and details. */
export function maskCheck(result: CheckResult, secrets: readonly string[]): CheckResult {
  if (secrets.length === 0) return result;
  const [message = '', fix = null] = redactSecrets([result.message, ...(result.fix === null ? [] : [result.fix])], secrets);
  return { ...result, message, fix, ...(result.details ? { details: redactSecrets(result.details, secrets) } : {}) };
}

export function anyFailed(results: readonly CheckResult[]): boolean {
  return results.some((result) => result.status === 'fail');
}

/** "API_KEY has a value" / "all 3 declared secrets have values" (not "all 1 declared secret has"). */
export function declaredHaveValues(declared: readonly string[]): string {
  return declared.length === 1 ? `the declared secret ${declared[0]} has a value` : `all ${declared.length} declared secrets have values`;
}
