import type { pino } from 'pino';

const levelNames: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const levelColors: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };
/** Fields every line has, shown in the line's head (time, level, message) or not at all. */
const omitted = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service', 'err']);

function value(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}

function clock(time: unknown): string {
  const d = typeof time === 'number' ? new Date(time) : new Date();
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** The `err` field as people read it: type and message, then the stack (when this line carries one). */
function errorText(err: unknown): string {
  if (typeof err !== 'object' || err === null) return ` err=${value(err)}`;
  const e = err as { type?: string; message?: string; stack?: string; code?: unknown; repeats?: number };
  const head = `${e.type ?? 'Error'}${e.code !== undefined ? ` (${String(e.code)})` : ''}: ${e.message ?? ''}${e.repeats ? ` [${e.repeats} since the last stack]` : ''}`;
  const stack = e.stack?.split('\n').slice(1).join('\n');
  return `\n    ${head}${stack ? `\n${stack.replace(/^\s*/gm, '      ')}` : ''}`;
}

/** One pino JSON line as `12:00:01.234 INFO  message key=value …`, colored when `color`. */
export function formatLogLine(line: string, color: boolean): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const level = typeof o['level'] === 'number' ? o['level'] : 30;
  const name = (levelNames[level] ?? String(level)).padEnd(5);
  const paint = (code: string | undefined, s: string) => (color && code ? `\u001b[${code}m${s}\u001b[0m` : s);
  const fields = Object.entries(o)
    .filter(([k]) => !omitted.has(k))
    .map(([k, v]) => `${paint('2', `${k}=`)}${value(v)}`)
    .join(' ');
  const msg = typeof o['msg'] === 'string' ? o['msg'] : '';
  return `${paint('2', clock(o['time']))} ${paint(levelColors[level], name)} ${msg}${fields ? `  ${fields}` : ''}${o['err'] !== undefined ? errorText(o['err']) : ''}\n`;
}

/**
 * A pino destination that writes lines for people instead of JSON: `fixpoint serve` uses it when
 * stdout is a terminal (JSON otherwise, for log collectors). Small on purpose: pino-pretty would
 * bring a dozen packages for what this does.
 */
export function humanLogDestination(write: (text: string) => void, color: boolean): pino.DestinationStream {
  return { write: (line: string) => write(formatLogLine(line, color)) };
}
