/** The LLM judge: the request that asks a model for a verdict on a recorded call, and running it. */
export { verdictSchema, verdictJsonSchema, parseVerdict, JudgeOutputError, type Verdict } from './verdict.ts';
export { JUDGE_MARKER, JUDGE_MAX_TOKENS, rubricVersionOf, buildJudgeRequest, dataDelimiters, encodeCallData } from './judge-request.ts';
export { callContent, type CallContent, type CallOutput, type ConversationEntry } from './call-content.ts';
export { runJudge, JUDGE_TIMEOUT_MS, type JudgeOutcome, type JudgeDeps } from './run-judge.ts';
