import { eq, sql } from 'drizzle-orm';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { exampleMessages, leadingSystemMessage } from '../core/index.ts';
import { componentPrompts, promptVersions, type Db, type PromptVersionRow } from '../db/index.ts';
import { extractSlots, parseTemplateText, renderTemplate, templateMatcher, type PromptTemplate } from '../prompts/index.ts';

/** What serves a component now: its active prompt version (null: the agent's own prompt) and the observed template to read slots with. */
export interface CurrentSetup {
  active: PromptVersionRow | null;
  observed: PromptTemplate | null;
  /** The observed template's text (version 0). */
  observedText: string | null;
}

export async function currentSetup(db: Db, component: string): Promise<CurrentSetup> {
  const [pointers] = await db.select().from(componentPrompts).where(eq(componentPrompts.component, component));
  const [active] = pointers?.activeVersionId ? await db.select().from(promptVersions).where(eq(promptVersions.id, pointers.activeVersionId)) : [];
  const [observed] = await db.select().from(promptVersions).where(sql`${promptVersions.component} = ${component} and ${promptVersions.version} = 0`);
  return { active: active ?? null, observed: observed ? parseTemplateText(observed.template) : null, observedText: observed?.template ?? null };
}

/**
 * A recorded chat request as the component would send it now: the active version's prompt (slots
 * carried over), few-shot examples and model where it has them, and `model` instead when given (the
 * tuned model). Streaming is turned off: a replay is scored whole.
 */
export function requestUnder(setup: CurrentSetup, recorded: Record<string, unknown>, model?: string): ChatCompletionCreateParamsNonStreaming {
  const { stream: _s, stream_options: _so, ...rest } = recorded;
  let messages = recorded['messages'] as { role: string; content: unknown }[];
  const system = leadingSystemMessage(recorded)?.['content'];
  if (setup.active && setup.observed && typeof system === 'string') {
    const slots = extractSlots(setup.observed, system, templateMatcher(setup.observed));
    if (slots) messages = [{ ...messages[0]!, content: renderTemplate(setup.active.template, slots) }, ...exampleMessages(setup.active.fewShot), ...messages.slice(1)];
  }
  const chosen = model ?? setup.active?.model ?? (recorded['model'] as string);
  return { ...rest, messages, model: chosen } as unknown as ChatCompletionCreateParamsNonStreaming;
}
