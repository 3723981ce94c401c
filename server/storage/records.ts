// Encodings of the values stored under each key kind, with a CRC-32 so a damaged record is detected
// at load time instead of being applied as a garbled Yjs update.
import { crc32 } from 'node:zlib';

export const SNAPSHOT_FORMAT = 1;

/** Thrown when a stored record fails its integrity check. */
export class CorruptRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptRecordError';
  }
}

/** Per-document metadata, kept beside the data so listing documents loads none of them. */
export interface DocumentMeta {
  name: string;
  createdAt: string;
  updatedAt: string;
  /** Bytes of the snapshot plus the log entries still stored. */
  bytes: number;
  snapshotBytes: number;
  logBytes: number;
  logLength: number;
  /** The sequence number the next appended update gets. */
  nextSeq: number;
}

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
