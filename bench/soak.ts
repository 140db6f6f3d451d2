/** Memory soak: drive one target at moderate load and watch its resident set size. */
import type { LoadGenerator } from './load-client.ts';
import { rssMb } from './processes.ts';
import { chatRequest, type Target } from './scenarios.ts';
import { median, slope } from './stats.ts';

export interface SoakResult {
  target: Target;
  seconds: number;
  connections: number;
  requests: number;
  errors: number;
  windowSeconds: number;
  rssStartMb: number;
  rssFirstMb: number;
  rssLastMb: number;
  rssMaxMb: number;
  slopeMbPerMin: number;
  growthPct: number;
  flat: boolean;
}

/** Growth under this between the first and last windows reads as flat. */
export const FLAT_GROWTH_PCT = 10;

export async function runSoak(load: LoadGenerator, target: Target, seconds: number, connections: number): Promise<SoakResult> {
  const times: number[] = [];
  const rss: number[] = [];
  const t0 = performance.now();
  const sample = () => {
    times.push((performance.now() - t0) / 1000);
    rss.push(rssMb(target.pid));
  };
  sample();
  const timer = setInterval(sample, 1_000);
  const requests = [
    chatRequest(false, 'Soak: hello, please answer briefly.'),
    chatRequest(true, '[[words:20]] Soak: hello!'),
  ];
  let result;
  try {
    result = await load.run({ origin: target.origin, requests, connections, warmupMs: 0, durationMs: seconds * 1000 });
  } finally {
    clearInterval(timer);
  }
  sample();
  const windowSeconds = Math.max(1, Math.min(10, seconds / 3));
  const first = rss.filter((_, i) => times[i]! <= windowSeconds);
  const last = rss.filter((_, i) => times[i]! >= times.at(-1)! - windowSeconds);
  const rssFirstMb = median(first);
  const rssLastMb = median(last);
  const growthPct = ((rssLastMb - rssFirstMb) / rssFirstMb) * 100;
  return {
    target,
    seconds,
    connections,
    requests: result.latenciesUs.length,
    errors: result.errors,
    windowSeconds,
    rssStartMb: rss[0] ?? Number.NaN,
    rssFirstMb,
    rssLastMb,
    rssMaxMb: Math.max(...rss),
    slopeMbPerMin: slope(times, rss) * 60,
    growthPct,
    flat: growthPct < FLAT_GROWTH_PCT,
  };
}
