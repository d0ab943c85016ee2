import { describe, expect, it } from 'vitest';
import { planLocal } from '../../plan/local/local-plan.js';
import { configFromYaml } from '../../test-support/config-from-yaml.js';
import { parseReleasePlan, releasePlanText } from './release-plan-file.js';

describe('the kept release plan', () => {
  it('never holds the generated database password, and gives the same plan back with it', () => {
    const config = configFromYaml('app: kp\nservice: { port: 8000, image: "nginx:1" }\ndatabase: postgres\n', 'local');
    const password = 'Gen3rated_Pw-xyz123';
    const plan = planLocal(config, { release: 4, databasePassword: password });
    expect(JSON.stringify(plan)).toContain(password);
    const text = releasePlanText(plan, password);
    expect(text).not.toContain(password);
    expect(parseReleasePlan(text, password)).toEqual(plan);
  });
});
