// Encodings of the values stored under each key kind, with a CRC-32 so a damaged record is detected
// at load time instead of being applied as a garbled Yjs update.
import { crc32 } from 'node:zlib';
import type { DocumentMeta } from './document-store.ts';

export const SNAPSHOT_FORMAT = 1;

/** Thrown when a stored record fails its integrity check. */
export class CorruptRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptRecordError';
  }
}


/** One update per entry: [u32 CRC-32][update]. The first log format; still read, no longer written. */
export function encodeLogEntry(update: Uint8Array): Buffer {
  const value = Buffer.allocUnsafe(4 + update.length);
  value.writeUInt32BE(crc32(update), 0);
  value.set(update, 4);
  return value;
}

export function decodeLogEntry(value: Buffer, where: string): Uint8Array {
  if (value.length < 5) throw new CorruptRecordError(`${where}: record too short (${value.length} bytes)`);
  const update = value.subarray(4);
  if (crc32(update) !== value.readUInt32BE(0)) throw new CorruptRecordError(`${where}: checksum mismatch`);
  return update;
}

/** Bytes a log record adds around its updates: CRC-32 and count. */
export const LOG_RECORD_HEADER_BYTES = 8;
/** Bytes a log record adds per update: its length. */
export const LOG_RECORD_BYTES_PER_UPDATE = 4;

/**
 * The updates one group commit appends to one document, as a single value:
 * [u32 CRC-32 of what follows][u32 count]([u32 length][update])×count. One LevelDB entry per batch
 * instead of per update saves a key, LevelDB's per-entry work and a checksum per update, and leaves
 * one tombstone per batch, not per update, when the log is compacted.
 */
export function encodeLogRecord(updates: readonly Uint8Array[]): Buffer {
  let length = LOG_RECORD_HEADER_BYTES;
  for (const update of updates) length += LOG_RECORD_BYTES_PER_UPDATE + update.length;
  const value = Buffer.allocUnsafe(length);
  value.writeUInt32BE(updates.length, 4);
  let offset = LOG_RECORD_HEADER_BYTES;
  for (const update of updates) {
    value.writeUInt32BE(update.length, offset);
    value.set(update, offset + LOG_RECORD_BYTES_PER_UPDATE);
    offset += LOG_RECORD_BYTES_PER_UPDATE + update.length;
  }
  value.writeUInt32BE(crc32(value.subarray(4)), 0);
  return value;
}

/** The updates of a log record whose key says it holds `count` of them. */
export function decodeLogRecord(value: Buffer, count: number, where: string): Uint8Array[] {
  if (value.length < LOG_RECORD_HEADER_BYTES) throw new CorruptRecordError(`${where}: record too short (${value.length} bytes)`);
  if (crc32(value.subarray(4)) !== value.readUInt32BE(0)) throw new CorruptRecordError(`${where}: checksum mismatch`);
  const stored = value.readUInt32BE(4);
  if (stored !== count) throw new CorruptRecordError(`${where}: record holds ${stored} updates, its key says ${count}`);
  const updates: Uint8Array[] = [];
  let offset = LOG_RECORD_HEADER_BYTES;
  for (let i = 0; i < count; i += 1) {
    if (offset + LOG_RECORD_BYTES_PER_UPDATE > value.length) throw new CorruptRecordError(`${where}: record is truncated`);
    const end = offset + LOG_RECORD_BYTES_PER_UPDATE + value.readUInt32BE(offset);
    if (end > value.length) throw new CorruptRecordError(`${where}: record is truncated`);
    updates.push(value.subarray(offset + LOG_RECORD_BYTES_PER_UPDATE, end));
    offset = end;
  }
  if (offset !== value.length) throw new CorruptRecordError(`${where}: ${value.length - offset} unexpected bytes after the updates`);
  return updates;
}

export interface SnapshotRecord {
  /** Log entries with a smaller sequence number are contained in `state`. */
  coversBelowSeq: number;
  state: Uint8Array;
}

export function encodeSnapshot(record: SnapshotRecord): Buffer {
  const value = Buffer.allocUnsafe(1 + 8 + 4 + record.state.length);
  value[0] = SNAPSHOT_FORMAT;
  value.writeUInt32BE(Math.floor(record.coversBelowSeq / 0x1_0000_0000), 1);
  value.writeUInt32BE(record.coversBelowSeq >>> 0, 5);
  value.writeUInt32BE(crc32(record.state), 9);
  value.set(record.state, 13);
  return value;
}

export function decodeSnapshot(value: Buffer, where: string): SnapshotRecord {
  if (value.length < 13) throw new CorruptRecordError(`${where}: snapshot too short (${value.length} bytes)`);
  if (value[0] !== SNAPSHOT_FORMAT) throw new CorruptRecordError(`${where}: unknown snapshot format ${value[0]}`);
  const coversBelowSeq = value.readUInt32BE(1) * 0x1_0000_0000 + value.readUInt32BE(5);
  const state = value.subarray(13);
  if (crc32(state) !== value.readUInt32BE(9)) throw new CorruptRecordError(`${where}: snapshot checksum mismatch`);
  return { coversBelowSeq, state };
}

export function encodeMeta(meta: DocumentMeta): Buffer {
  return Buffer.from(JSON.stringify(meta), 'utf8');
}

export function decodeMeta(value: Buffer, where: string): DocumentMeta {
  try {
    return JSON.parse(value.toString('utf8')) as DocumentMeta;
  } catch (error) {
    throw new CorruptRecordError(`${where}: metadata is not valid JSON (${(error as Error).message})`);
  }
}
