import { describe, expect, it } from 'vitest';
import type { CallView } from '../types.ts';
import {
  anthropicCall,
  anthropicMessage,
  assembledChatStream,
  callOf,
  chatCall,
  chatCompletion,
  responsesCall,
  responsesFunctionCall,
  responsesObject,
  responsesRefusal,
  responsesText,
  textBlock,
  toolUseBlock,
} from './call-fixtures.ts';
import { builtInChecks } from './index.ts';

const ids = (call: CallView) => builtInChecks(call).map((f) => `${f.kind}:${f.ruleId}`).sort();

describe('good outputs pass every built-in check', () => {
  it('on chat, a chat stream, Anthropic and Responses', () => {
    expect(ids(chatCall(chatCompletion('Paris is sunny.')))).toEqual([]);
    expect(ids(chatCall(assembledChatStream('Paris is sunny.')))).toEqual([]);
    expect(ids(anthropicCall(anthropicMessage([textBlock('Paris is sunny.')])))).toEqual([]);
    expect(ids(responsesCall(responsesObject([responsesText('Paris is sunny.')])))).toEqual([]);
  });

  it('on routes without model output', () => {
    expect(ids(callOf('embeddings', { model: 'text-embedding-3-small', input: 'x' }, { object: 'list', data: [{ embedding: { dimensions: 1536 } }] }))).toEqual([]);
    expect(ids(callOf('models', null, { object: 'list', count: 3 }))).toEqual([]);
  });
});

describe('error', () => {
  it('flags upstream errors, timeouts and gateway errors with the HTTP status and error text', () => {
    const [f] = builtInChecks(chatCall({ error: { message: 'overloaded' } }, {}, { status: 'upstream_error', httpStatus: 503, error: 'overloaded' }));
    expect(f).toEqual({ kind: 'error', ruleId: 'error:upstream_error', message: 'upstream error (HTTP 503): overloaded', evidence: { status: 'upstream_error', httpStatus: 503, error: 'overloaded' } });
    expect(ids(callOf('embeddings', {}, null, { status: 'timeout', httpStatus: 504, error: 'no answer in 60 s' }))).toEqual(['error:error:timeout']);
    expect(ids(anthropicCall(null, {}, { status: 'gateway_error', httpStatus: 502, error: null }))).toEqual(['error:error:gateway_error']);
  });

  it('skips the output checks of a failed call, and client-side endings entirely', () => {
    // an error body would otherwise read as an empty output
    expect(ids(chatCall(chatCompletion(''), {}, { status: 'upstream_error', httpStatus: 500, error: 'boom' }))).toEqual(['error:error:upstream_error']);
    expect(ids(chatCall(chatCompletion(''), {}, { status: 'client_abort', httpStatus: 200 }))).toEqual([]);
    expect(ids(chatCall(null, {}, { status: 'rejected', httpStatus: 401, error: 'bad key' }))).toEqual([]);
  });

  it('flags a Responses object that reports its own failure', () => {
    const res = responsesObject([], { status: 'failed', error: { code: 'server_error', message: 'The model failed to generate a response.' } });
    const [f] = builtInChecks(responsesCall(res));
    expect(f).toMatchObject({ kind: 'error', ruleId: 'error:response_failed', message: 'response failed (server_error): The model failed to generate a response.' });
  });
});

describe('truncation', () => {
  it('flags finish_reason length, stop_reason max_tokens and incomplete max_output_tokens', () => {
    const chat = builtInChecks(chatCall(chatCompletion('The invoice total is', { finish_reason: 'length' }), { max_tokens: 5 }, { outputTokens: 5 }));
    expect(chat).toEqual([
      {
        kind: 'truncation',
        ruleId: 'truncation',
        message: 'output cut off at the token limit (finish_reason: length)',
        evidence: { output: 'The invoice total is', reason: 'finish_reason: length', outputTokens: 5, maxTokens: 5, toolCalls: [] },
      },
    ]);
    expect(ids(chatCall(assembledChatStream('The invoice', { finish_reason: 'length' })))).toEqual(['truncation:truncation']);
    expect(builtInChecks(anthropicCall(anthropicMessage([textBlock('The invoice')], 'max_tokens')))[0]?.message).toBe('output cut off at the token limit (stop_reason: max_tokens)');
    expect(ids(responsesCall(responsesObject([responsesText('The inv')], { incomplete: 'max_output_tokens' })))).toEqual(['truncation:truncation']);
  });

  it('reports a cut-off output once, not again as empty or as broken JSON', () => {
    expect(ids(chatCall(chatCompletion('', { finish_reason: 'length' })))).toEqual(['truncation:truncation']);
    expect(ids(chatCall(chatCompletion('{"answer": "The tot', { finish_reason: 'length' }), { response_format: { type: 'json_object' } }))).toEqual(['truncation:truncation']);
  });
});

describe('refusal', () => {
  it('flags a chat refusal, in a completion and in an assembled stream', () => {
    const [f] = builtInChecks(chatCall(chatCompletion(null, { refusal: "I'm sorry, I can't help with that." })));
    expect(f).toMatchObject({ kind: 'refusal', ruleId: 'refusal', message: `model refused: "I'm sorry, I can't help with that."` });
    expect(ids(chatCall(assembledChatStream(null, { refusal: 'No.' })))).toEqual(['refusal:refusal']);
  });

  it('flags a content-filter stop (and not also as empty)', () => {
    const [f, ...rest] = builtInChecks(chatCall(chatCompletion('', { finish_reason: 'content_filter' })));
    expect(f).toMatchObject({ kind: 'refusal', ruleId: 'content_filter', message: 'output stopped by a content filter (finish_reason: content_filter)' });
    expect(rest).toEqual([]);
    expect(ids(responsesCall(responsesObject([], { incomplete: 'content_filter' })))).toEqual(['refusal:content_filter']);
  });

  it('flags an Anthropic refusal stop and a Responses refusal item', () => {
    expect(builtInChecks(anthropicCall(anthropicMessage([], 'refusal')))).toEqual([
      { kind: 'refusal', ruleId: 'refusal', message: 'model refused (stop_reason: refusal)', evidence: { refusal: null, reason: 'stop_reason: refusal', output: null } },
    ]);
    expect(builtInChecks(responsesCall(responsesObject([responsesRefusal('I cannot assist with that request.')])))[0]).toMatchObject({
      ruleId: 'refusal',
      message: 'model refused: "I cannot assist with that request."',
    });
  });

  it('passes an answer that merely mentions refusing', () => {
    expect(ids(chatCall(chatCompletion('The customer refused the delivery.')))).toEqual([]);
  });
});

describe('empty', () => {
  it('flags empty or whitespace-only output with no tool call or refusal, on every route', () => {
    expect(builtInChecks(chatCall(chatCompletion('   \n')))).toEqual([
      { kind: 'empty', ruleId: 'empty', message: 'empty output: no text, tool calls or refusal', evidence: { output: '   \n', finishReasons: [], outputTokens: null } },
    ]);
    expect(ids(chatCall(chatCompletion(null)))).toEqual(['empty:empty']);
    expect(ids(chatCall(assembledChatStream(null)))).toEqual(['empty:empty']);
    expect(ids(anthropicCall(anthropicMessage([])))).toEqual(['empty:empty']);
    expect(ids(responsesCall(responsesObject([responsesText('')])))).toEqual(['empty:empty']);
  });

  it('passes a tool-call-only output', () => {
    expect(ids(anthropicCall(anthropicMessage([toolUseBlock('get_weather', { city: 'Paris' })], 'tool_use'), { tools: [{ name: 'get_weather', input_schema: { type: 'object' } }] }))).toEqual([]);
    expect(ids(responsesCall(responsesObject([responsesFunctionCall('get_weather', '{}')]), { tools: [{ type: 'function', name: 'get_weather', parameters: {}, strict: false }] }))).toEqual([]);
  });
});

describe('robustness', () => {
  it('never throws, whatever the stored bodies look like', () => {
    const odd: unknown[] = [null, undefined, 'text', 42, [], { unparsed: '<html>' }, { choices: 'x' }, { choices: [null] }, { choices: [{ message: { content: 5, tool_calls: [null, { function: 7 }] } }] }, { content: [{ type: 'tool_use' }] }, { output: [{ type: 'function_call' }] }];
    const requests: unknown[] = [null, 'x', { response_format: { type: 'json_schema' } }, { tools: 'all' }, { text: { format: { type: 'json_schema', schema: 'nope' } } }];
    for (const route of ['chat.completions', 'messages', 'responses', 'embeddings', 'models', 'unknown']) {
      for (const response of odd) for (const request of requests) expect(() => builtInChecks(callOf(route, request, response))).not.toThrow();
    }
  });
});
