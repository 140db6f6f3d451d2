/**
 * The fake upstream in its own process (forked by bench/run.ts), so it does not share an event
 * loop with the servers under test. Reports `{ port }` over IPC once listening.
 */
import { startFakeUpstream } from '../testkit/fake-upstream/index.ts';

const upstream = await startFakeUpstream({ port: Number(process.argv[2] ?? 0), record: false });
process.send?.({ port: Number(new URL(upstream.url).port) });
const stop = () => void upstream.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
