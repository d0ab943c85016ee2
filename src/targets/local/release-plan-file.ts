/**
 * A release's local plan as kept in the state folder (release-<n>.plan.json) for the balancer, the job scheduler
 * and `berth run`. The generated database password (in DATABASE_URL, PGPASSWORD, POSTGRES_PASSWORD) is not written:
 * a marker stands in its place and readers put the value back from the secrets file. Pure text in and out.
 */
import type { LocalPlan } from '../../plan/local/local-plan.js';

/** Stands for the generated database password in a kept plan. */
export const DATABASE_PASSWORD_MARKER = '${berth:generated.databasePassword}';

/** The plan's JSON with every occurrence of the password replaced by the marker. */
export function releasePlanText(plan: LocalPlan, databasePassword: string | undefined): string {
  const text = `${JSON.stringify(plan, null, 2)}\n`;
  return databasePassword ? text.split(databasePassword).join(DATABASE_PASSWORD_MARKER) : text;
}

/** The plan back from its kept text, with the password in place (when the file names one). */
export function parseReleasePlan(text: string, databasePassword: string | undefined): LocalPlan {
  const restored = databasePassword ? text.split(DATABASE_PASSWORD_MARKER).join(databasePassword) : text;
  return JSON.parse(restored) as LocalPlan;
}
