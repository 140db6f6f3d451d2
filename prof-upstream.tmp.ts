import { startFakeUpstream } from '/work/main/tests/fake-upstream/index.ts';
const f = await startFakeUpstream({ port: 19001, record: false });
console.log('up', f.url);
