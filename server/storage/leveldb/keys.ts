// LevelDB key layout. Keys are built only here: [kind][u32 name length][name UTF-8][suffix].
//
// The length prefix keeps one document's range from ever covering another's (`a` vs `a!x`), and the
// fixed-width big-endian sequence numbers make range scans return log entries in append order.
//
// A log key is either a single update, [seq] (the first format, still read), or a record of `count`
// consecutive updates, [first seq][u32 count]. The two differ in length, so a key says which it is,
// and both sort by their first sequence number.

const KIND_META = 0x01;
const KIND_SNAPSHOT = 0x02;
const KIND_LOG = 0x03;
const KIND_VERSION_META = 0x04;
const KIND_VERSION_DATA = 0x05;
// Retained change-feed events: [kind][u32 name length][name][u64 seq], so a range scan is one document's in order.
const KIND_EVENT = 0x06;
// Share links of a document, as an index: [kind][u32 name length][name][link id] → nothing.
const KIND_DOCUMENT_LINK = 0x07;
// Webhook deliveries are not per document: [kind][u64 seq], so a range scan returns them in enqueue order.
const KIND_OUTBOX = 0x10;
const KIND_DEAD_LETTER = 0x11;
// Share links by id: [kind][id UTF-8] → the link's JSON record.
const KIND_LINK = 0x12;
// Server-wide settings by name: [kind][name UTF-8] → value (the generated link-signing secret).
const KIND_SETTING = 0x13;
// Forwarding addresses of renamed and deleted names: [kind][name UTF-8] → the forward's JSON.
const KIND_FORWARD = 0x14;

// The kinds whose keys start with a document's [kind][u32 name length][name]: moving a document rewrites them.
const PER_DOCUMENT_KINDS = [KIND_META, KIND_SNAPSHOT, KIND_LOG, KIND_VERSION_META, KIND_VERSION_DATA, KIND_DOCUMENT_LINK];

const SEQ_BYTES = 8;
const COUNT_BYTES = 4;

export interface KeyRange {
  gte: Buffer;
  lt: Buffer;
}

function documentPrefix(kind: number, documentName: string, extra: number): Buffer {
  const nameBytes = Buffer.from(documentName, 'utf8');
  const key = Buffer.allocUnsafe(1 + 4 + nameBytes.length + extra);
  key[0] = kind;
  key.writeUInt32BE(nameBytes.length, 1);
  nameBytes.copy(key, 5);
  return key;
}

function writeSeq(key: Buffer, offset: number, seq: number): void {
  // Two 32-bit halves: faster than BigInt and exact for every safe integer.
  key.writeUInt32BE(Math.floor(seq / 0x1_0000_0000), offset);
  key.writeUInt32BE(seq >>> 0, offset + 4);
}

export function metaKey(documentName: string): Buffer {
  return documentPrefix(KIND_META, documentName, 0);
}

export function snapshotKey(documentName: string): Buffer {
  return documentPrefix(KIND_SNAPSHOT, documentName, 0);
}

/** The snapshot key of one document, as a range. */
export function snapshotRange(documentName: string): KeyRange {
  const gte = snapshotKey(documentName);
  return { gte, lt: Buffer.concat([gte, Buffer.from([0])]) };
}

export function logKey(documentName: string, seq: number): Buffer {
  const key = documentPrefix(KIND_LOG, documentName, SEQ_BYTES);
  writeSeq(key, key.length - SEQ_BYTES, seq);
  return key;
}

/** A log record holding the `count` updates from `firstSeq` on. */
export function logRecordKey(documentName: string, firstSeq: number, count: number): Buffer {
  const key = documentPrefix(KIND_LOG, documentName, SEQ_BYTES + COUNT_BYTES);
  writeSeq(key, key.length - SEQ_BYTES - COUNT_BYTES, firstSeq);
  key.writeUInt32BE(count, key.length - COUNT_BYTES);
  return key;
}

export interface LogSpan {
  firstSeq: number;
  count: number;
  /** True for a record key (`logRecordKey`), false for a single-update key (`logKey`). */
  record: boolean;
}

/** The updates a log key covers; null if the key has neither shape. */
export function logKeySpan(key: Buffer): LogSpan | null {
  const seqOffset = 5 + key.readUInt32BE(1);
  const record = key.length === seqOffset + SEQ_BYTES + COUNT_BYTES;
  if (!record && key.length !== seqOffset + SEQ_BYTES) return null;
  const firstSeq = key.readUInt32BE(seqOffset) * 0x1_0000_0000 + key.readUInt32BE(seqOffset + 4);
  return { firstSeq, count: record ? key.readUInt32BE(seqOffset + SEQ_BYTES) : 1, record };
}

/** The key a log span is stored under: a record's, or a first-format single entry's. */
export function logSpanKey(documentName: string, span: LogSpan): Buffer {
  return span.record ? logRecordKey(documentName, span.firstSeq, span.count) : logKey(documentName, span.firstSeq);
}

/** Every log entry of one document with a sequence number of at least `fromSeq`. */
export function logRange(documentName: string, fromSeq = 0): KeyRange {
  return { gte: logKey(documentName, fromSeq), lt: logKey(documentName, Number.MAX_SAFE_INTEGER) };
}

/** The metadata records of all documents, in key order. */
export function allMetaRange(): KeyRange {
  return { gte: Buffer.from([KIND_META]), lt: Buffer.from([KIND_META + 1]) };
}

export function documentNameFromMetaKey(key: Buffer): string {
  const length = key.readUInt32BE(1);
  return key.toString('utf8', 5, 5 + length);
}

export function seqFromLogKey(key: Buffer): number {
  const offset = key.length - SEQ_BYTES;
  return key.readUInt32BE(offset) * 0x1_0000_0000 + key.readUInt32BE(offset + 4);
}

/** A named version's metadata (label, author, kind, sizes): listing reads these alone. */
export function versionMetaKey(documentName: string, seq: number): Buffer {
  const key = documentPrefix(KIND_VERSION_META, documentName, SEQ_BYTES);
  writeSeq(key, key.length - SEQ_BYTES, seq);
  return key;
}

/** A named version's content: a full state or a delta against the previous version. */
export function versionDataKey(documentName: string, seq: number): Buffer {
  const key = documentPrefix(KIND_VERSION_DATA, documentName, SEQ_BYTES);
  writeSeq(key, key.length - SEQ_BYTES, seq);
  return key;
}

/** Every version metadata record of one document, oldest first. */
export function versionMetaRange(documentName: string): KeyRange {
  return { gte: versionMetaKey(documentName, 0), lt: versionMetaKey(documentName, Number.MAX_SAFE_INTEGER) };
}

/** Every version content record of one document, oldest first. */
export function versionDataRange(documentName: string): KeyRange {
  return { gte: versionDataKey(documentName, 0), lt: versionDataKey(documentName, Number.MAX_SAFE_INTEGER) };
}

/** A retained change-feed event of one document, by its per-document sequence number. */
export function eventKey(documentName: string, seq: number): Buffer {
  const key = documentPrefix(KIND_EVENT, documentName, SEQ_BYTES);
  writeSeq(key, key.length - SEQ_BYTES, seq);
  return key;
}

/** The retained events of one document with a sequence number of at least `fromSeq`, oldest first. */
export function eventRange(documentName: string, fromSeq = 0): KeyRange {
  return { gte: eventKey(documentName, fromSeq), lt: eventKey(documentName, Number.MAX_SAFE_INTEGER) };
}

/** The sequence number at the end of an event key. */
export const seqFromEventKey = seqFromLogKey;

/** The version number at the end of a version key. */
export const seqFromVersionKey = seqFromLogKey;
function sequenceKey(kind: number, seq: number): Buffer {
  const key = Buffer.allocUnsafe(1 + SEQ_BYTES);
  key[0] = kind;
  writeSeq(key, 1, seq);
  return key;
}

/** A pending webhook delivery, by its sequence number. */
export function outboxKey(seq: number): Buffer {
  return sequenceKey(KIND_OUTBOX, seq);
}

/** Every pending webhook delivery, in enqueue order. */
export function outboxRange(): KeyRange {
  return { gte: Buffer.from([KIND_OUTBOX]), lt: Buffer.from([KIND_OUTBOX + 1]) };
}

/** A webhook delivery that ran out of attempts, kept for the admin API, by its sequence number. */
export function deadLetterKey(seq: number): Buffer {
  return sequenceKey(KIND_DEAD_LETTER, seq);
}

export function deadLetterRange(): KeyRange {
  return { gte: Buffer.from([KIND_DEAD_LETTER]), lt: Buffer.from([KIND_DEAD_LETTER + 1]) };
}

/** The sequence number of an outbox or dead-letter key. */
export function seqFromSequenceKey(key: Buffer): number {
  return key.readUInt32BE(1) * 0x1_0000_0000 + key.readUInt32BE(5);
}

/** A share link's record, by its id. */
export function linkKey(id: string): Buffer {
  return Buffer.concat([Buffer.from([KIND_LINK]), Buffer.from(id, 'utf8')]);
}

/** Every share link's record, by id. */
export function allLinksRange(): KeyRange {
  return { gte: Buffer.from([KIND_LINK]), lt: Buffer.from([KIND_LINK + 1]) };
}

/** The index entry naming one of a document's links. */
export function documentLinkKey(documentName: string, id: string): Buffer {
  const idBytes = Buffer.from(id, 'utf8');
  const key = documentPrefix(KIND_DOCUMENT_LINK, documentName, idBytes.length);
  idBytes.copy(key, key.length - idBytes.length);
  return key;
}

/** Every link index entry of one document. */
export function documentLinkRange(documentName: string): KeyRange {
  const gte = documentPrefix(KIND_DOCUMENT_LINK, documentName, 0);
  return { gte, lt: Buffer.concat([gte, Buffer.from([0xff])]) };
}

/** The link id at the end of a document link key. */
export function linkIdFromDocumentLinkKey(key: Buffer): string {
  return key.toString('utf8', 5 + key.readUInt32BE(1));
}

/** A server-wide setting, by name. */
export function settingKey(name: string): Buffer {
  return Buffer.concat([Buffer.from([KIND_SETTING]), Buffer.from(name, 'utf8')]);
}

/** A forwarding address, by the name it is for. */
export function forwardKey(name: string): Buffer {
  return Buffer.concat([Buffer.from([KIND_FORWARD]), Buffer.from(name, 'utf8')]);
}

export function allForwardsRange(): KeyRange {
  return { gte: Buffer.from([KIND_FORWARD]), lt: Buffer.from([KIND_FORWARD + 1]) };
}

/**
 * Every key range holding one document's own records (metadata, snapshot, log, versions, link index), for
 * moving it. Its retained change-feed events are not among them: they stay with the name they were made under.
 */
export function documentRanges(documentName: string): KeyRange[] {
  return PER_DOCUMENT_KINDS.map((kind) => {
    const gte = documentPrefix(kind, documentName, 0);
    // The prefix with its last byte raised: above every suffix, below the next name (UTF-8 never ends in 0xff).
    const lt = Buffer.from(gte);
    lt[lt.length - 1] = gte[gte.length - 1]! + 1;
    return { gte, lt };
  });
}

/** The same record's key under another document name: same kind, same suffix. */
export function keyUnderName(key: Buffer, documentName: string): Buffer {
  const suffix = key.subarray(5 + key.readUInt32BE(1));
  const moved = documentPrefix(key[0]!, documentName, suffix.length);
  suffix.copy(moved, moved.length - suffix.length);
  return moved;
}
