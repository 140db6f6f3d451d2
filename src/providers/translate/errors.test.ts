import { describe, expect, it } from 'vitest';
import { anthropicErrorToOpenAI, openaiErrorToAnthropic } from './errors.ts';

describe('anthropicErrorToOpenAI', () => {
  it('translates an Anthropic error body into the OpenAI shape', () => {
    const body = {
      type: 'error',
      error: { type: 'invalid_request_error', message: 'messages.1.content: Input should be a valid list' },
      request_id: 'req_011',
    };
    expect(anthropicErrorToOpenAI(body)).toEqual({
      error: {
        message: 'messages.1.content: Input should be a valid list',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
  });

  it.each([
    ['rate_limit_error', 'rate_limit_error', 'rate_limit_exceeded'],
    ['overloaded_error', 'overloaded_error', 'overloaded'],
    ['authentication_error', 'authentication_error', 'invalid_api_key'],
    ['not_found_error', 'not_found_error', null],
    ['billing_error', 'insufficient_quota', 'insufficient_quota'],
    ['some_future_error', 'some_future_error', null],
  ])('maps type %s to %s / %s', (anthropicType, type, code) => {
    const out = anthropicErrorToOpenAI({ type: 'error', error: { type: anthropicType, message: 'm' } });
    expect(out.error).toMatchObject({ type, code, message: 'm' });
  });

  it('uses details.error_code as the code when Anthropic gives one', () => {
    const body = {
      type: 'error',
      error: { type: 'invalid_request_error', message: 'Image too large', details: { error_code: 'image_dimensions_too_large' } },
    };
    expect(anthropicErrorToOpenAI(body).error.code).toBe('image_dimensions_too_large');
  });

  it('reads a JSON text body', () => {
    const text = JSON.stringify({ type: 'error', error: { type: 'api_error', message: 'Internal server error' } });
    expect(anthropicErrorToOpenAI(text).error).toMatchObject({ type: 'api_error', message: 'Internal server error' });
  });

  it.each([[null], [undefined], ['<html>502 Bad Gateway</html>'], [42], [{ unexpected: true }], [{ error: {} }]])(
    'falls back to a generic api_error for %j',
    (body) => {
      expect(anthropicErrorToOpenAI(body)).toEqual({
        error: { message: 'The upstream provider returned an error.', type: 'api_error', param: null, code: null },
      });
    },
  );
});

describe('openaiErrorToAnthropic', () => {
  it('translates an OpenAI error body, keeping the param in the message', () => {
    const body = {
      error: {
        message: "This model's maximum context length is 8192 tokens.",
        type: 'invalid_request_error',
        param: 'messages',
        code: 'context_length_exceeded',
      },
    };
    expect(openaiErrorToAnthropic(body)).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: "messages: This model's maximum context length is 8192 tokens." },
    });
  });

  it.each([
    [{ type: 'requests', code: 'rate_limit_exceeded' }, 'rate_limit_error'],
    [{ type: 'insufficient_quota', code: 'insufficient_quota' }, 'billing_error'],
    [{ type: 'authentication_error', code: 'invalid_api_key' }, 'authentication_error'],
    [{ type: 'server_error', code: null }, 'api_error'],
    [{ type: 'invalid_request_error', code: 'model_not_found' }, 'invalid_request_error'],
    [{ type: null, code: 'model_not_found' }, 'not_found_error'],
    [{ type: 'BadRequestError', code: 400 }, 'invalid_request_error'],
  ])('maps %j to %s', (fields, type) => {
    expect(openaiErrorToAnthropic({ error: { message: 'm', ...fields } }).error).toEqual({ type, message: 'm' });
  });

  it('tolerates the shapes OpenAI-compatible servers send', () => {
    expect(openaiErrorToAnthropic({ object: 'error', message: 'bad input', type: 'BadRequestError', code: 400 })).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'bad input' },
    });
    expect(openaiErrorToAnthropic({ error: 'upstream exploded' }).error.message).toBe('upstream exploded');
    expect(openaiErrorToAnthropic({ detail: 'Not Found' }).error.message).toBe('Not Found');
    expect(openaiErrorToAnthropic(JSON.stringify({ error: { message: 'x', type: 'server_error' } })).error).toEqual({
      type: 'api_error',
      message: 'x',
    });
  });

  it.each([[null], ['<html>oops</html>'], [[1, 2]], [{}]])('falls back to a generic api_error for %j', (body) => {
    expect(openaiErrorToAnthropic(body)).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'The upstream provider returned an error.' },
    });
  });
});
