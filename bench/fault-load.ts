/**
 * The fault run's client: an open loop at a fixed rate, half the calls streaming, each outcome kept
 * with its call id and the phase it was sent in, so acknowledged calls can be matched to records.
 */
import { Agent, request } from 'undici';

export type CallKind = 'chat' | 'stream' | 'poison';

export interface Outcome {
  phase: string;
  kind: CallKind;
  status: number | null;
  callId: string | null;
  /** 2xx and the whole answer arrived (a stream's `data: [DONE]`). */
  acknowledged: boolean;
  error: string | null;
}

const POISON_DEPTH = 5_000;
export const poisonBody = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"x":${'['.repeat(POISON_DEPTH)}${']'.repeat(POISON_DEPTH)}}`;

function bodyOf(kind: CallKind, n: number): string {
  if (kind === 'poison') return poisonBody;
  return JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `fault run call ${n}` }], ...(kind === 'stream' ? { stream: true } : {}) });
}

export class FaultLoad {
  readonly outcomes: Outcome[] = [];
  phase = 'baseline';
  /** Poison requests per second mixed into the load. */
  poisonPerSecond = 1;
  private readonly agent = new Agent({ connections: 256, headersTimeout: 30_000, bodyTimeout: 30_000, keepAliveTimeout: 4_000 });
  private timer: NodeJS.Timeout | null = null;
  private inflight = new Set<Promise<void>>();
  private n = 0;

  constructor(
    private readonly origin: () => string,
    private readonly ratePerSecond: number,
  ) {}

  start(): void {
    const tickMs = 10;
    const perTick = (this.ratePerSecond * tickMs) / 1000;
    let carry = 0;
    let poisonCarry = 0;
    this.timer = setInterval(() => {
      carry += perTick;
      poisonCarry += (this.poisonPerSecond * tickMs) / 1000;
      while (carry >= 1) {
        carry -= 1;
        let kind: CallKind = this.n % 2 === 0 ? 'stream' : 'chat';
        if (poisonCarry >= 1) {
          poisonCarry -= 1;
          kind = 'poison';
        }
        this.send(kind);
      }
    }, tickMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.inflight]);
    await this.agent.close();
  }

  private send(kind: CallKind): void {
    const n = this.n++;
    const out: Outcome = { phase: this.phase, kind, status: null, callId: null, acknowledged: false, error: null };
    this.outcomes.push(out);
    const p = this.call(kind, n, out).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  private async call(kind: CallKind, n: number, out: Outcome): Promise<void> {
    try {
      const res = await request(`${this.origin()}/v1/chat/completions`, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-fault-run-client-key-000000' },
        body: bodyOf(kind, n),
      });
      out.status = res.statusCode;
      const id = res.headers['x-fixpoint-call-id'];
      out.callId = typeof id === 'string' ? id : null;
      const text = await res.body.text();
      const complete = kind === 'stream' ? text.trimEnd().endsWith('data: [DONE]') : text.length > 0;
      out.acknowledged = res.statusCode >= 200 && res.statusCode < 300 && complete;
    } catch (err) {
      out.error = (err as { code?: string }).code ?? (err instanceof Error ? err.message : String(err));
    }
  }
}
