import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trueLabel } from '../testkit/fleet/ground-truth.ts';
import { BASE_MODEL, clarity, complianceOf, FleetDriver, GLITCH, JUDGE_MODEL, OPTIMIZER_MODEL, simEmbedding, startSimProvider, TUNED_MODEL, World, type ComponentSpec, type FleetInput, type SimProvider } from '../testkit/fleet/index.ts';
import { seededRandom } from '../testkit/fleet/random.ts';

/**
 * The simulated fleet's provider itself (testkit/fleet), not the product: its answers follow rules —
 * compliance from the prompt's wording, facts only the tuned model knows, a judge that paraphrases, an
 * optimizer whose proposals are uneven — and every answer carries its ground truth.
 */
const SEED = 4242;
let world: World;
let provider: SimProvider;
let client: OpenAI;

beforeAll(async () => {
  world = new World();
  provider = await startSimProvider({ world, seed: SEED });
  client = new OpenAI({ baseURL: provider.baseUrl, apiKey: 'sk-test', maxRetries: 0 });
});
afterAll(async () => provider?.close());

const rng = seededRandom(99);
const precise = (spec: ComponentSpec, prompt: string) => prompt.replace(spec.vagueInstruction, spec.contract.statement);

async function ask(model: string, system: string, input: FleetInput, temperature = 0): Promise<string> {
  const r = await client.chat.completions.create({ model, temperature, messages: [{ role: 'system', content: system }, { role: 'user', content: input.text }] });
  return r.choices[0]?.message.content ?? '';
}

/** Share of answers that follow the contract (no prompt-fixable cause) over fresh inputs. */
async function compliance(spec: ComponentSpec, prompt: (slots: Record<string, string>) => string, n = 150): Promise<number> {
  const fixable = new Set(spec.problems.filter((p) => p.promptFixable).map((p) => p.id));
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const input = world.register(spec.input(rng));
    const out = await ask(BASE_MODEL, prompt(spec.slots(rng)), input);
    if (!provider.sim.truthOf(input, out).some((c) => fixable.has(c))) ok++;
  }
  return ok / n;
}

describe('the simulated agents model', () => {
  it('follows the output contract as well as the system prompt states it: vague 30–60 %, precise ~95 %', async () => {
    for (const name of ['ticket-router', 'invoice-extractor', 'ticket-summarizer', 'product-recommender']) {
      const spec = world.component(name);
      expect(clarity(spec.contract, spec.prompt(spec.slots(rng))), name).toBe(0);
      expect(clarity(spec.contract, precise(spec, spec.prompt(spec.slots(rng)))), name).toBe(1);
      const vague = await compliance(spec, spec.prompt);
      const clear = await compliance(spec, (s) => precise(spec, spec.prompt(s)));
      expect(vague, name).toBeGreaterThanOrEqual(0.25);
      expect(vague, name).toBeLessThanOrEqual(0.65);
      expect(clear, name).toBeGreaterThanOrEqual(0.88);
      // Part of the contract gets part of the way.
      expect(complianceOf(spec.contract, `${spec.prompt(spec.slots(rng))} ${spec.contract.partial[0]}`)).toBeGreaterThan(spec.contract.vague);
    }
  }, 30_000);

  it('can be fixed by a prompt that states the contract within the optimizer\'s default growth bound (+50 %)', () => {
    for (const spec of [...world.components.values()].filter((c) => c.problems.some((p) => p.promptFixable))) {
      const slots = spec.slots(rng);
      let template = spec.prompt(slots);
      Object.values(slots).forEach((v, i) => (template = template.replace(v, `{{slot${i + 1}}}`)));
      expect(template.replace(spec.vagueInstruction, spec.contract.statement).length / template.length - 1, spec.name).toBeLessThanOrEqual(0.45);
    }
  });

  it('answers the same request the same way at temperature 0, and samples above it', async () => {
    const spec = world.component('ticket-router');
    const system = spec.prompt(spec.slots(rng));
    const inputs = Array.from({ length: 20 }, () => world.register(spec.input(rng)));
    const first = await Promise.all(inputs.map((i) => ask(BASE_MODEL, system, i)));
    expect(await Promise.all(inputs.map((i) => ask(BASE_MODEL, system, i)))).toEqual(first);
    const sampled = await Promise.all(inputs.map((i) => ask(BASE_MODEL, system, i, 1)));
    expect(sampled).not.toEqual(first);
  });

  it('knows the hidden facts only as the tuned model: no prompt teaches them to the base model', async () => {
    const spec = world.component('clause-analyzer');
    const indemnities = Array.from({ length: 400 }, () => spec.input(rng)).filter((i) => i.truth['type'] === 'indemnification').slice(0, 60).map((i) => world.register(i));
    const right = async (model: string, system: string) => (await Promise.all(indemnities.map((i) => ask(model, system, i)))).filter((o) => o === 'indemnification').length / indemnities.length;
    const system = spec.prompt(spec.slots(rng));
    const hinted = `${system} ${spec.knowledgeHint}`;
    expect(await right(BASE_MODEL, system)).toBeLessThan(0.5);
    expect(await right(BASE_MODEL, hinted)).toBeLessThan(0.5);
    expect(await right(TUNED_MODEL, system)).toBe(1);
    const rec = world.component('product-recommender');
    const asks = Array.from({ length: 60 }, () => world.register(rec.input(rng)));
    const recSystem = precise(rec, rec.prompt(rec.slots(rng)));
    const catalogueRight = async (model: string) => (await Promise.all(asks.map(async (i) => !provider.sim.truthOf(i, await ask(model, recSystem, i)).includes('product-recommender/catalogue-facts')))).filter(Boolean).length / asks.length;
    expect(await catalogueRight(BASE_MODEL)).toBeLessThan(0.8);
    expect(await catalogueRight(TUNED_MODEL)).toBe(1);
  });

  it('attaches the ground truth to every answer: what was wrong with it, as the oracle grades it', async () => {
    for (const spec of world.components.values()) {
      for (let i = 0; i < 60; i++) {
        const input = world.register(spec.input(rng));
        const out = await ask(BASE_MODEL, spec.prompt(spec.slots(rng)), input);
        const truth = provider.sim.truthOf(input, out);
        if (!truth.includes(GLITCH)) expect(truth, `${spec.name}: ${out}`).toEqual(spec.grade(input, out));
        for (const c of truth) expect(c === GLITCH || world.problem(c)?.id === c).toBe(true);
      }
    }
    // The driver keeps it per call; a stored failure's label follows from it.
    const driver = new FleetDriver({ gatewayUrl: provider.baseUrl.replace(/\/v1$/, ''), clientKey: 'sk-test', sim: provider.sim, seed: 3 });
    const records = await driver.drive({ phase: 't', count: 40, concurrency: 4, feedback: false });
    expect(records.every((r) => r.error === null && JSON.stringify(r.causes) === JSON.stringify(provider.sim.truthOf(r.input, r.output)))).toBe(true);
    const failing = records.find((r) => r.causes.includes('ticket-router/label-format'))!;
    const calls = new Map([['c1', failing]]);
    expect(trueLabel({ id: 'f', call_id: 'c1', component: 'ticket-router', kind: 'rule', rule_id: 'label', rationale: null, pattern_id: null }, calls, provider.sim)).toBe('ticket-router/label-format');
    expect(trueLabel({ id: 'f', call_id: 'c1', component: 'ticket-router', kind: 'empty', rule_id: 'empty', rationale: null, pattern_id: null }, calls, provider.sim)).toBe('noise:c1');
  });
});

describe('the simulated judge', () => {
  const judgeRequest = (system: string, input: FleetInput, output: string) => {
    const nonce = `n${Math.floor(rng() * 1e9)}`;
    const data = JSON.stringify({ conversation: [{ role: 'system', content: system }, { role: 'user', content: input.text }], output: { text: output, tool_calls: [] } });
    return client.chat.completions.create({
      model: JUDGE_MODEL,
      temperature: 0,
      messages: [
        { role: 'system', content: `You are the Fixpoint judge. The call is between the line <call_data id="${nonce}"> and the line </call_data id="${nonce}">.` },
        { role: 'user', content: `Evaluate this call against the rubric.\n<call_data id="${nonce}">\n${data}\n</call_data id="${nonce}">\nGive your verdict as the JSON object described.` },
      ],
    });
  };

  it('fails what is wrong with paraphrased rationales (several wordings, not one sentence), and knows the cause', async () => {
    const spec = world.component('ticket-router');
    const system = spec.prompt(spec.slots(rng));
    const rationales: string[] = [];
    let passedGood = 0;
    for (let i = 0; i < 60; i++) {
      const input = world.register(spec.input(rng));
      const label = String(input.truth['label']);
      const bad = await judgeRequest(system, input, `${label.toUpperCase()}_ISSUE`);
      const v = JSON.parse(bad.choices[0]!.message.content!) as { pass: boolean; score: number; failed_criteria: string[]; rationale: string };
      expect(Object.keys(v).sort()).toEqual(['failed_criteria', 'pass', 'rationale', 'score']);
      if (!v.pass) {
        rationales.push(v.rationale);
        expect(provider.sim.causeOfRationale(v.rationale)).toBe('ticket-router/label-format');
      }
      const good = JSON.parse((await judgeRequest(system, input, label)).choices[0]!.message.content!) as { pass: boolean };
      if (good.pass) passedGood++;
    }
    expect(rationales.length).toBeGreaterThanOrEqual(50);
    const shapes = new Set(rationales.map((r) => r.replace(/"[^"]*"/g, '"…"').split(/\s+/).slice(0, 3).join(' ')));
    expect(shapes.size).toBeGreaterThanOrEqual(4);
    expect(passedGood).toBeGreaterThanOrEqual(54);
  });
});

describe('the simulated optimizer model', () => {
  it('proposes prompts of uneven quality: some state the contract (and fix it), some stay vague, some break a slot', async () => {
    const spec = world.component('ticket-router');
    const template = 'You are the support assistant of {{slot1}}. The customer is {{slot2}} on the {{slot3}} plan; today is {{slot4}}. Read the ticket and tell us what kind of issue it is.';
    const cases = Array.from({ length: 6 }, () => {
      const input = world.register(spec.input(rng));
      return { input: JSON.stringify([{ role: 'user', content: input.text }]), output: `${String(input.truth['label']).toUpperCase()}_ISSUE`, problems: ['expected one of [billing, technical, account]'], correction: null };
    });
    for (const c of cases) provider.sim.truthOf(world.lookup((JSON.parse(c.input) as { content: string }[])[0]!.content)!, c.output);
    const templates: string[] = [];
    for (let i = 0; i < 30; i++) {
      const nonce = `o${i}`;
      const r = await client.chat.completions.create({
        model: OPTIMIZER_MODEL,
        messages: [
          { role: 'system', content: `You are the Fixpoint prompt optimizer. The data is between the line <optimizer_cases id="${nonce}"> and the line </optimizer_cases id="${nonce}">.` },
          { role: 'user', content: `<optimizer_cases id="${nonce}">\n${JSON.stringify({ prompt: template, slots: ['slot1', 'slot2', 'slot3', 'slot4'], failing_cases: cases })}\n</optimizer_cases id="${nonce}">` },
        ],
      });
      templates.push((JSON.parse(r.choices[0]!.message.content!) as { template: string }).template);
    }
    const stated = templates.filter((t) => clarity(spec.contract, t) === 1);
    const vague = templates.filter((t) => clarity(spec.contract, t) === 0);
    const broken = templates.filter((t) => ['slot1', 'slot2', 'slot3', 'slot4'].some((s) => !t.includes(`{{${s}}}`)));
    expect(stated.length).toBeGreaterThan(0);
    expect(vague.length).toBeGreaterThan(0);
    expect(broken.length).toBeGreaterThan(0);
    expect(new Set(templates).size).toBeGreaterThan(5);
    expect(complianceOf(spec.contract, stated[0]!)).toBeGreaterThanOrEqual(0.95);
  });
});

describe('the simulated embeddings model', () => {
  it('puts paraphrases of one complaint closer together than different complaints', async () => {
    const r = await client.embeddings.create({ model: 'sim-embed', input: ['The summary is too long: 97 words where at most 60 are allowed.', 'Way too wordy (88 words); it retells the conversation instead of summarizing it.', 'The answer "BILLING_ISSUE" is not one of the allowed labels.'] });
    const [a, b, c] = r.data.map((d) => d.embedding);
    const cos = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    expect(a).toEqual(simEmbedding('The summary is too long: 97 words where at most 60 are allowed.').map((x) => Math.fround(x)));
    expect(cos(a!, b!)).toBeGreaterThan(0.7);
    expect(cos(a!, c!)).toBeLessThan(0.4);
  });
});
