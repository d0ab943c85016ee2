import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLocalPort } from './local-port-check.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

const config = (port: number) => ({ app: 'dr-port', env: 'local', local: { port } });
const vars = { BERTH_STATE_DIR: '/nonexistent/dr-port-state' };

describe('checkLocalPort', () => {
  it('passes a free port and fails one another program holds', async () => {
    expect((await checkLocalPort(config(19431), vars)).status).toBe('pass');
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(19431, '127.0.0.1', resolve));
    const taken = await checkLocalPort(config(19431), vars);
    expect(taken).toMatchObject({ id: 'local-port', status: 'fail' });
    expect(taken.fix).toContain('lsof -i :19431');
  });
});
