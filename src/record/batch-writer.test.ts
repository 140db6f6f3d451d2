import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTimeout, WriteTimeout } from './batch-writer.ts';

/** A server that answers each line after the delay it asks for ("<ms>\n" → "ok\n"), or never ("never\n"). */
let server: Server;
let port = 0;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = createServer((s) => {
    s.setNoDelay(true);
    s.on('data', (d) => {
      const line = d.toString().trim();
      if (line === 'never') return;
      setTimeout(() => s.write('ok\n'), Number(line));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

/** A request over a real socket, settled when its answer is read. */
async function ask(line: string): Promise<string> {
  const s = connect(port, '127.0.0.1');
  sockets.push(s);
  s.setNoDelay(true);
  await new Promise((resolve) => s.once('connect', resolve));
  const answer = new Promise<string>((resolve) => s.once('data', (d) => resolve(d.toString().trim())));
  s.write(`${line}\n`);
  return answer;
}

/** This thread stops running for `ms` (as a starved, niced thread would), whatever arrives meanwhile. */
function away(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy: no timers, no socket reads
  }
}

describe('withTimeout (the write timeout of the recorder)', () => {
  it('times out an answer that does not come', async () => {
    await expect(withTimeout(ask('never'), 50)).rejects.toBeInstanceOf(WriteTimeout);
  });

  it('takes an answer that came in time while the thread was away, though its timer expired meanwhile', async () => {
    const answer = withTimeout(ask('30'), 100);
    await new Promise((resolve) => setTimeout(resolve, 5)); // the request is out; its answer arrives at ~30 ms, while the thread is away
    away(250);
    await expect(answer).resolves.toBe('ok');
  });

  it('gives the database its time again when the thread was away longer than that time', async () => {
    const answer = withTimeout(ask('300'), 100);
    await new Promise((resolve) => setTimeout(resolve, 5));
    away(250); // the timer is due at 100 ms and fires at ~255: late by more than 100, so it is set again until ~355
    await expect(answer).resolves.toBe('ok');
  });

  it('times out once the time is spent, late timer or not', async () => {
    const answer = withTimeout(ask('600'), 100);
    await new Promise((resolve) => setTimeout(resolve, 5));
    away(250);
    await expect(answer).rejects.toBeInstanceOf(WriteTimeout);
  });
});
