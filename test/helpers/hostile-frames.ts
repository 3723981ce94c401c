// Seeded generators of malformed and hostile Hocuspocus frames, for the fuzz tests.
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { authFrame, awarenessFrame, frame, MESSAGE, SYNC, syncFrame } from './raw-client.ts';

export interface HostileFrame {
  category: string;
  data: Uint8Array | string;
}

/**
 * Known-hostile Yjs updates.
 * - yjs#479: `Buffer.from('garbagedoc', 'base64')` made `Y.applyUpdate` loop forever in old lib0
 *   (readVarUint past the end); current lib0 throws "Unexpected end of array".
 * - yjs#687: run-length-encoded counts in the V2 format let a tiny update claim endless structs. The
 *   issue's V2 bytes are included verbatim (the Hocuspocus wire format is V1, where they decode as an
 *   empty update), plus V1 analogues: a struct count of 2^32-1 and a delete-set client count of 2^32-1
 *   with a few bytes behind them, and a string length prefix of 2^32.
 * - yjs#498: the empty update.
 * - Tandem issue 12: updates that decode but make `Y.applyUpdate` throw, because an item refers to its own
 *   client at or past its own clock (Yjs only waits for references into other clients): the outside
 *   probe's 9 bytes (left origin ahead), the same with the right origin or the parent, an item pointing at
 *   itself, one that waits as pending and throws when an innocent update fills the gap, and an empty item.
 */
export const HOSTILE_UPDATES: Record<string, Uint8Array> = {
  'yjs#479 garbagedoc': new Uint8Array(Buffer.from('garbagedoc', 'base64')),
  'yjs#687 V2 bytes': new Uint8Array(Buffer.from('00010000000001000100010200001602000001fdffffffff7f0000', 'hex')),
  'yjs#687 V1 struct count 2^32-1': new Uint8Array([1, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 0]),
  'yjs#687 V1 delete-set clients 2^32-1': new Uint8Array([0, 0xff, 0xff, 0xff, 0xff, 0x0f, 1]),
  'yjs#687 V1 string length 2^32': new Uint8Array([1, 1, 1, 0, 4, 1, 1, 0x74, 0x80, 0x80, 0x80, 0x80, 0x10, 0x61]),
  'yjs#498 empty update': new Uint8Array(0),
  'issue 12 left origin ahead (the probe)': new Uint8Array([1, 1, 5, 0, 0x88, 5, 5, 0, 0]),
  'issue 12 right origin ahead': new Uint8Array([1, 1, 5, 0, 0x44, 5, 3, 1, 0x42, 0]),
  'issue 12 parent ahead': new Uint8Array([1, 1, 5, 0, 0x04, 0, 5, 3, 1, 0x42, 0]),
  'issue 12 left origin is itself': new Uint8Array([1, 1, 5, 0, 0x84, 5, 0, 1, 0x42, 0]),
  'issue 12 pending, throws once the gap fills': new Uint8Array([1, 1, 5, 1, 0x84, 5, 9, 1, 0x42, 0]),
  'issue 12 empty item': new Uint8Array([1, 2, 5, 0, 0x04, 1, 1, 0x41, 1, 0x42, 0x88, 5, 0, 0, 0]),
};

/** Valid messages a provider sends; their truncations and bit flips are the structured part of the fuzz. */
export function validTemplates(documentName: string, random: () => number): Uint8Array[] {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, `hello ${Math.floor(random() * 1e6)}`);
  doc.getMap('m').set('k', { nested: [1, 'two', true] });
  doc.getArray('a').push([new Uint8Array([1, 2, 3])]);
  doc.getText('t').delete(1, 2);
  const update = Y.encodeStateAsUpdate(doc);
  return [
    authFrame(documentName, 'dev'),
    syncFrame(documentName, SYNC.step1, Y.encodeStateVector(doc)),
    syncFrame(documentName, SYNC.step2, update),
    syncFrame(documentName, SYNC.update, update),
    awarenessFrame(documentName, [{ clientId: doc.clientID, clock: 3, state: { user: { name: 'ü', color: '#abc' } } }]),
    frame(documentName, MESSAGE.stateless, (e) => encoding.writeVarString(e, '{"hello":"world"}')),
  ];
}

/** Yields `count` frames across every category, deterministically from `random`. */
export function* hostileFrames(count: number, random: () => number, documentName: string): Generator<HostileFrame> {
  const int = (n: number) => Math.floor(random() * n);
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  const address = () => {
    const e = encoding.createEncoder();
    encoding.writeVarString(e, documentName);
    return encoding.toUint8Array(e);
  };
  const concat = (...parts: ArrayLike<number>[]) => Uint8Array.from(parts.flatMap((part) => Array.from(part)));
  const varuint = (value: number) => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, value);
    return encoding.toUint8Array(e);
  };

  let produced = 0;
  const emit = function* (category: string, data: Uint8Array | string): Generator<HostileFrame> {
    if (produced++ < count) yield { category, data };
  };

  // Every hostile update, in each sync message that carries one.
  for (const [name, update] of Object.entries(HOSTILE_UPDATES)) {
    yield* emit(`hostile ${name} (update)`, syncFrame(documentName, SYNC.update, update));
    yield* emit(`hostile ${name} (sync step 2)`, syncFrame(documentName, SYNC.step2, update));
  }
  // Every truncation of every valid message, once.
  for (const template of validTemplates(documentName, random)) {
    for (let length = 0; length < template.length; length++) yield* emit('truncation', template.slice(0, length));
  }
  // Every message type 0–255 with a short random body.
  for (let type = 0; type < 256; type++) {
    for (let i = 0; i < 8; i++) yield* emit('message type', concat(address(), varuint(type), bytes(int(12))));
  }
  while (produced < count) {
    const pick = random();
    if (pick < 0.3) {
      // Random bytes, mostly short, now and then a few KiB.
      yield* emit('random bytes', bytes(random() < 0.01 ? int(8192) : int(48)));
    } else if (pick < 0.45) {
      // A random truncation of a fresh valid message.
      const templates = validTemplates(documentName, random);
      const template = templates[int(templates.length)]!;
      yield* emit('truncation', template.slice(0, int(template.length)));
    } else if (pick < 0.7) {
      // Bit flips in a valid message: mostly well-formed frames carrying corrupt Yjs data.
      const templates = validTemplates(documentName, random);
      const flipped = templates[int(templates.length)]!.slice();
      for (let flips = 1 + int(3); flips > 0; flips--) {
        const at = int(flipped.length);
        flipped[at] = (flipped[at] as number) ^ (1 << int(8));
      }
      yield* emit('bit flip', flipped);
    } else if (pick < 0.78) {
      // Bad varints: continuation bits that never end, or values past 2^53.
      const endless = new Uint8Array(1 + int(20)).fill(0x80 | int(128));
      yield* emit('bad varint', random() < 0.5 ? endless : concat(address(), endless));
      yield* emit('bad varint', concat(address(), [MESSAGE.sync], endless));
      yield* emit('bad varint', concat(address(), [MESSAGE.sync, SYNC.update], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], bytes(4)));
    } else if (pick < 0.86) {
      // Length prefixes far beyond the frame: 2^31, 2^32, 2^50.
      const huge = varuint([2 ** 31, 2 ** 32, 2 ** 50, 2 ** 53 - 1][int(4)]!);
      const where = int(4);
      if (where === 0) yield* emit('huge length', concat(huge, bytes(int(16))));
      else if (where === 1) yield* emit('huge length', concat(address(), [MESSAGE.sync, SYNC.step2], huge, bytes(int(16))));
      else if (where === 2) yield* emit('huge length', concat(address(), [MESSAGE.awareness], huge, bytes(int(16))));
      else yield* emit('huge length', concat(address(), [MESSAGE.auth, 0], huge, bytes(int(16))));
    } else if (pick < 0.94) {
      // Invalid UTF-8 where strings go: the address, a token, an awareness state.
      const invalid = [[0xc3, 0x28], [0xa0, 0xa1], [0xe2, 0x28, 0xa1], [0xf0, 0x28, 0x8c, 0xbc], [0xed, 0xa0, 0x80], [0xff]][int(6)]!;
      const where = int(3);
      if (where === 0) yield* emit('invalid utf-8', concat(varuint(invalid.length), invalid, [MESSAGE.queryAwareness]));
      else if (where === 1) yield* emit('invalid utf-8', concat(address(), [MESSAGE.auth, 0], varuint(invalid.length), invalid));
      else yield* emit('invalid utf-8', concat(address(), [MESSAGE.awareness], varuint(invalid.length + 3), [1, 1, 1], invalid));
    } else {
      // Text frames: the protocol is binary only.
      const texts = ['hello', '{"type":"sync"}', '\u0000', 'ü'.repeat(int(100)), String.fromCharCode(...bytes(int(40)))];
      yield* emit('text frame', texts[int(texts.length)]!);
    }
  }
}
