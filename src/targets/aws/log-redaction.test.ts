import { describe, expect, it } from 'vitest';
import { logRedactor } from './log-redaction.js';

const CANARY = 'canary-93ab-value';

describe('logRedactor', () => {
  const redact = logRedactor(['STRIPE_KEY']);

  it('masks passwords in connection URLs', () => {
    expect(redact(`connecting to postgresql://shop:${CANARY}@db.internal:5432/shop`)).toBe('connecting to postgresql://shop:***@db.internal:5432/shop');
  });

  it('masks declared secrets and berth credentials printed as assignments or JSON', () => {
    const lines = [`STRIPE_KEY=${CANARY}`, `{"STRIPE_KEY": "${CANARY}"}`, `env: PGPASSWORD: ${CANARY}`, `config STRIPE_KEY = ${CANARY} loaded`];
    for (const line of lines) expect(redact(line)).not.toContain(CANARY);
    expect(redact(`STRIPE_KEY=${CANARY}`)).toBe('STRIPE_KEY=***');
  });

  it('leaves ordinary lines alone', () => {
    expect(redact('GET /health 200 3ms')).toBe('GET /health 200 3ms');
  });
});
