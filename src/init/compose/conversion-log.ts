/** What a compose conversion says as it goes: the reason for each value, outcomes, warnings, notes, what it left out. */
import { secretValueKind } from '../../config/secret-names.js';
import type { DraftSecret, LeftOut, ServiceOutcome } from './draft.js';

export class ConversionLog {
  /** Why each value of the draft is what it is, by its dotted path in berth.yml. */
  readonly reasons: Record<string, string> = {};
  readonly outcomes: ServiceOutcome[] = [];
  readonly warnings: string[] = [];
  readonly notes: string[] = [];
  readonly leftOut: LeftOut[] = [];
  /** Secret names, with where a value was left out; the first file that held a value wins. */
  readonly secrets = new Map<string, DraftSecret>();

  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  note(message: string): void {
    if (!this.notes.includes(message)) this.notes.push(message);
  }

  /** A compose key berth.yml does not carry over. `what` shows what it held, never when it looks like a credential. */
  leave(path: string, reason: string, what?: string): void {
    this.leftOut.push({ path, ...(what !== undefined && what !== '' && !secretValueKind(what) ? { what } : {}), reason });
  }

  outcome(compose: string, became: string, converted: boolean): void {
    this.outcomes.push({ compose, became, converted });
  }

  secret(name: string, valueLeftOutFrom?: string): void {
    const known = this.secrets.get(name)?.valueLeftOutFrom ?? valueLeftOutFrom;
    this.secrets.set(name, { name, ...(known ? { valueLeftOutFrom: known } : {}) });
  }

  /** Move the reasons under `from` (a path prefix) to `to`, when a value moves in the draft. */
  moveReasons(from: string, to: string): void {
    for (const key of Object.keys(this.reasons)) {
      if (key === from || key.startsWith(`${from}.`)) {
        this.reasons[to + key.slice(from.length)] = this.reasons[key]!;
        delete this.reasons[key];
      }
    }
  }
}
