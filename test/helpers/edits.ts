// Seeded random edit streams on Yjs documents, for property tests that must replay from a printed seed.
import type * as Y from 'yjs';

/** Mulberry32: tiny, fast, good enough to drive test inputs reproducibly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The seed from TANDEM_TEST_SEED, or a fresh one; printed so a failure can be replayed. */
export function testSeed(label: string): number {
  const fromEnv = process.env.TANDEM_TEST_SEED;
  const seed = fromEnv ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31);
  console.log(`# ${label}: seed ${seed} (replay with TANDEM_TEST_SEED=${seed})`);
  return seed;
}

/** One random edit on several root types: text inserts/deletes, map sets/deletes, array pushes. */
export function randomEdit(doc: Y.Doc, random: () => number): void {
  const pick = random();
  doc.transact(() => {
    if (pick < 0.6) {
      const text = doc.getText('text');
      if (text.length > 0 && random() < 0.3) {
        const at = Math.floor(random() * text.length);
        text.delete(at, Math.min(text.length - at, 1 + Math.floor(random() * 5)));
      } else {
        text.insert(Math.floor(random() * (text.length + 1)), String.fromCharCode(97 + Math.floor(random() * 26)).repeat(1 + Math.floor(random() * 3)));
      }
    } else if (pick < 0.85) {
      const map = doc.getMap('map');
      const key = `k${Math.floor(random() * 8)}`;
      if (random() < 0.2) map.delete(key);
      else map.set(key, Math.floor(random() * 1000));
    } else {
      doc.getArray('array').push([Math.floor(random() * 100)]);
    }
  });
}

/** A comparable picture of every root type used by randomEdit. */
export function contentOf(doc: Y.Doc): unknown {
  return {
    text: doc.getText('text').toString(),
    map: doc.getMap('map').toJSON(),
    array: doc.getArray('array').toJSON(),
  };
}
