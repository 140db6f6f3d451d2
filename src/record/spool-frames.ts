/**
 * The spool's frame format: a 4-byte big-endian payload length, a 4-byte CRC32 of the payload,
 * then the UTF-8 JSON payload. A frame whose length runs past the end of the file, whose CRC does
 * not match or whose JSON does not parse is torn or corrupt; reading stops there.
 */
import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

const HEADER_BYTES = 8;
const READ_CHUNK_BYTES = 1 << 20;

/** Encodes records as consecutive frames in one buffer. */
export function encodeFrames(records: readonly object[]): Buffer {
  const frames = records.map((record) => {
    const payload = Buffer.from(JSON.stringify(record), 'utf8');
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt32BE(payload.length, 0);
    header.writeUInt32BE(crc32(payload), 4);
    return Buffer.concat([header, payload]);
  });
  return Buffer.concat(frames);
}

export type FrameRead = { ok: true; offset: number; value: unknown } | { ok: false; offset: number };

function decodePayload(payload: Buffer, crc: number): { value: unknown } | undefined {
  if (crc32(payload) !== crc) return undefined;
  try {
    return { value: JSON.parse(payload.toString('utf8')) as unknown };
  } catch {
    return undefined;
  }
}

/** Yields the frames of a file in order; a torn or corrupt frame is yielded as `ok: false` and ends the file. */
export async function* readFrames(fh: FileHandle, size: number): AsyncGenerator<FrameRead> {
  let offset = 0; // file offset of the frame at buf[0]
  let buf = Buffer.alloc(0);
  while (offset < size) {
    const need = buf.length >= HEADER_BYTES ? HEADER_BYTES + buf.readUInt32BE(0) : HEADER_BYTES;
    if (offset + need > size) {
      yield { ok: false, offset };
      return;
    }
    if (buf.length < need) {
      const readAt = offset + buf.length;
      const chunk = Buffer.alloc(Math.min(Math.max(need - buf.length, READ_CHUNK_BYTES), size - readAt));
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, readAt);
      if (bytesRead === 0) {
        yield { ok: false, offset };
        return;
      }
      buf = Buffer.concat([buf, chunk.subarray(0, bytesRead)]);
      continue;
    }
    const decoded = decodePayload(buf.subarray(HEADER_BYTES, need), buf.readUInt32BE(4));
    if (!decoded) {
      yield { ok: false, offset };
      return;
    }
    yield { ok: true, offset, value: decoded.value };
    offset += need;
    buf = buf.subarray(need);
  }
}
