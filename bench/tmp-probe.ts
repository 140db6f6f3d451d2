import { startLoadGenerator } from './load-client.ts';
import { forkServer, cpuMicros } from './processes.ts';
import { chatRequest } from './scenarios.ts';
import { summarizeMicros } from './stats.ts';
const up = await forkServer('up', './upstream-process.ts', []);
const fw = await forkServer('fw', './bare-forwarder.ts', [up.origin]);
const load = startLoadGenerator();
for (const [name, t] of [['direct', up], ['bare', fw], ['direct', up], ['bare', fw]] as const) {
  const c0 = [cpuMicros(up.pid), cpuMicros(fw.pid), cpuMicros(load.pid)];
  const r = await load.run({ origin: t.origin, requests: [chatRequest(false, 'hello bench')], connections: 8, warmupMs: 500, durationMs: 3000 });
  const c1 = [cpuMicros(up.pid), cpuMicros(fw.pid), cpuMicros(load.pid)];
  const s = summarizeMicros(r.latenciesUs);
  console.log(name, Math.round(s.count / 3), 'rps p50', s.p50.toFixed(2), 'cpu µs/req up/fw/load', c1.map((c, i) => Math.round((c - c0[i]!) / r.completed)).join('/'));
}
load.close(); await up.stop(); await fw.stop();
