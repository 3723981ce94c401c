// Encodings of version records: metadata as JSON, content as a checksummed full state or delta, deflated.
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { CorruptRecordError } from './records.ts';
import type { VersionMeta } from './version-store.ts';

const VERSION_DATA_FORMAT = 1;
const ENCODING_FULL = 0;
const ENCODING_DELTA = 1;
// Set on the encoding byte when the update is stored deflated (Yjs updates shrink 2-3x).
const DEFLATED = 0x80;

/** Metadata as stored: the public part plus the state vector the next version's delta is taken against. */
export interface StoredVersionMeta extends VersionMeta {
  stateVector: string;
}

export interface VersionData {
  encoding: 'full' | 'delta';
  update: Uint8Array;
}

export function encodeVersionMeta(meta: StoredVersionMeta): Buffer {
  return Buffer.from(JSON.stringify(meta), 'utf8');
}

export function decodeVersionMeta(value: Buffer, where: string): StoredVersionMeta {
  try {
    return JSON.parse(value.toString('utf8')) as StoredVersionMeta;
  } catch (error) {
    throw new CorruptRecordError(`${where}: version metadata is not valid JSON (${(error as Error).message})`);
  }
}

export function encodeVersionData(data: VersionData): Buffer {
  const deflated = deflateRawSync(data.update);
  const smaller = deflated.length < data.update.length;
  const payload = smaller ? deflated : data.update;
  const value = Buffer.allocUnsafe(6 + payload.length);
  value[0] = VERSION_DATA_FORMAT;
  value[1] = (data.encoding === 'full' ? ENCODING_FULL : ENCODING_DELTA) | (smaller ? DEFLATED : 0);
  // The checksum covers the update itself, so a bad inflate is caught too.
  value.writeUInt32BE(crc32(data.update), 2);
  value.set(payload, 6);
  return value;
}

export function decodeVersionData(value: Buffer, where: string): VersionData {
  if (value.length < 6) throw new CorruptRecordError(`${where}: version record too short (${value.length} bytes)`);
  if (value[0] !== VERSION_DATA_FORMAT) throw new CorruptRecordError(`${where}: unknown version format ${value[0]}`);
  const encoding = value[1]! & ~DEFLATED;
  if (encoding !== ENCODING_FULL && encoding !== ENCODING_DELTA) {
    throw new CorruptRecordError(`${where}: unknown version encoding ${value[1]}`);
  }
  let update: Uint8Array = value.subarray(6);
  if (value[1]! & DEFLATED) {
    try {
      update = inflateRawSync(update);
    } catch (error) {
      throw new CorruptRecordError(`${where}: version content does not inflate (${(error as Error).message})`);
    }
  }
  if (crc32(update) !== value.readUInt32BE(2)) throw new CorruptRecordError(`${where}: version checksum mismatch`);
  return { encoding: encoding === ENCODING_FULL ? 'full' : 'delta', update };
}

export function publicVersionMeta(meta: StoredVersionMeta): VersionMeta {
  const { stateVector: _stateVector, ...rest } = meta;
  return rest;
}
