// Seeded typists for fault tests: providers inserting unique tokens, and which of them the server acknowledged.
import assert from 'node:assert/strict';
import * as prng from 'lib0/prng';
import { connectClient, waitFor, waitForAllSaved, type TestClient } from './providers.ts';
import { TEXT } from './saved.ts';

/** One editing client and what the server told it was saved. */
export interface Typist {
  client: TestClient;
  documentName: string;
  /** Tokens in the order they were inserted. */
  tokens: string[];
  /** tokens[0 .. acknowledged) were inserted before an "all saved" signal from the server. */
  acknowledged: number;
  /** Stops typing; acknowledgements still count (the client stays connected). */
  stop(): void;
}

export interface TypistOptions {
  /** Tokens are `${name}-${n};`; the name must match TOKEN (e.g. `t3c1`). */
  name: string;
  random: prng.PRNG;
  /** Chance, after each edit, of a pause until the provider says saved (a typist glancing at the badge). */
  pauseChance?: number;
  /** The longest such pause. */
  maxPauseMs?: number;
}

/** A token typed by a typist named like `t3c1` or `r0d2c1`; anything else in the text is garbled. */
export const TOKEN = /^[a-z]+\d+(?:[a-z]+\d+)*-\d+;$/;

/**
 * Types 1–3 tokens per transaction every 0–3 ms at either end of the text, so inserts never split another
 * token and the text parses back into tokens; now and then pauses until saved, so acknowledgements come.
 */
export function startTypist(client: TestClient, documentName: string, options: TypistOptions): Typist {
  const { name, random, pauseChance = 0.05, maxPauseMs = 300 } = options;
  const text = client.doc.getText(TEXT);
  const typist: Typist = { client, documentName, tokens: [], acknowledged: 0, stop };
  const onUnsynced = ({ number }: { number: number }) => {
    // A count of 0 means the server acknowledged every update this provider sent: all are stored.
    if (number !== 0 || client.socket.status !== 'connected') return;
    typist.acknowledged = typist.tokens.length;
    if (pausing && !stopped) {
      pausing = false;
      clearTimeout(timer);
      timer = setTimeout(edit, prng.int32(random, 0, 3));
    }
  };
  client.provider.on('unsyncedChanges', onUnsynced);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let pausing = false;
  let n = 0;
  const edit = () => {
    pausing = false;
    const count = prng.int32(random, 1, 3);
    const atStart = prng.bool(random);
    const batch: string[] = [];
    for (let i = 0; i < count; i += 1) batch.push(`${name}-${n++};`);
    client.doc.transact(() => {
      for (const token of batch) text.insert(atStart ? 0 : text.length, token);
    });
    typist.tokens.push(...batch);
    pausing = prng.real53(random) < pauseChance;
    timer = setTimeout(edit, pausing ? maxPauseMs : prng.int32(random, 0, 3));
  };
  function stop() {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
  }
  edit();
  return typist;
}

/** The tokens of a typed text. */
export function tokensIn(text: string): Set<string> {
  return new Set(text.split(';').filter(Boolean).map((token) => `${token};`));
}

/** Tokens of `text` that no typist could have written: a sign of a torn or misapplied update. */
export function garbledTokens(text: string): string[] {
  return [...tokensIn(text)].filter((token) => !TOKEN.test(token));
}

/**
 * Stops the typists, waits until every one of them is saved (all it typed is then acknowledged) and until
 * they converge; returns the text they share, checked for garbled tokens.
 */
export async function settleTypists(typists: readonly Typist[], timeoutMs = 15_000): Promise<string> {
  for (const typist of typists) typist.stop();
  await Promise.all(typists.map((typist) => waitForAllSaved(typist.client, timeoutMs)));
  for (const typist of typists) typist.acknowledged = typist.tokens.length;
  const texts = () => typists.map((typist) => typist.client.doc.getText(TEXT).toString());
  await waitFor(() => new Set(texts()).size === 1, 10_000, 'every client to converge');
  const text = texts()[0] ?? '';
  assert.deepEqual(garbledTokens(text), []);
  return text;
}

/** Asserts that `text` holds every token each typist had acknowledged. */
export function assertAcknowledgedIn(text: string, typists: readonly Typist[], when: string): void {
  const present = tokensIn(text);
  for (const typist of typists) {
    const missing = typist.tokens.slice(0, typist.acknowledged).filter((token) => !present.has(token));
    assert.deepEqual(missing, [], `acknowledged tokens of ${typist.tokens[0]} missing ${when}`);
  }
}

/** The document's text as stored: read by a fresh client of `wsUrl`. */
export async function storedText(wsUrl: string, documentName: string): Promise<string> {
  const reader = await connectClient(wsUrl, documentName);
  try {
    return reader.doc.getText(TEXT).toString();
  } finally {
    reader.destroy();
  }
}
