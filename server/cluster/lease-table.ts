// Ownership leases in Redis: claim with SET NX PX, renew and release only while the value is still ours, read the owner.
//
// A lease says who owns a document and who may take it over; it does not keep data safe (a paused owner can
// outlive its lease). PostgreSQL's epoch check does that (storage/ownership-store.ts), so nothing here needs
// Redis to be durable or even consistent: a lost key only means another instance may claim the document.
import type { Redis } from 'ioredis';

/** The instance a lease names: its id and the URL relays reach it at. */
export interface LeaseHolder {
  instance: string;
  url: string;
}

export type ClaimResult = { claimed: true } | { claimed: false; owner: LeaseHolder | null };

const KEY_PREFIX = 'tandem:lease:';

// For each key: still ours → extend; gone (expired while Redis or we were slow) → take it again if free;
// someone else's → report it lost. Returns the 1-based indexes of the lost ones.
const RENEW_SCRIPT = `
local lost = {}
for i, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
  elseif not current then
    if not redis.call('SET', key, ARGV[1], 'NX', 'PX', ARGV[2]) then table.insert(lost, i) end
  else
    table.insert(lost, i)
  end
end
return lost`;

const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export function leaseKey(documentName: string): string {
  return KEY_PREFIX + documentName;
}

export class LeaseTable {
  #redis: Redis;
  #holder: LeaseHolder;
  #leaseMs: number;

  /** `holder` is read at each claim: its URL is known only once the server listens. */
  constructor(redis: Redis, holder: LeaseHolder, leaseMs: number) {
    this.#redis = redis;
    this.#holder = holder;
    this.#leaseMs = leaseMs;
  }

  get #value(): string {
    return JSON.stringify(this.#holder);
  }

  get leaseMs(): number {
    return this.#leaseMs;
  }

  /** Takes the lease if nobody holds it; otherwise says who does (null: it expired in between, ask again). */
  async claim(documentName: string): Promise<ClaimResult> {
    const set = await this.#redis.set(leaseKey(documentName), this.#value, 'PX', this.#leaseMs, 'NX');
    if (set === 'OK') return { claimed: true };
    return { claimed: false, owner: await this.owner(documentName) };
  }

  /** Extends every lease in `documentNames`; returns the ones that now belong to another instance. */
  async renew(documentNames: readonly string[]): Promise<string[]> {
    if (documentNames.length === 0) return [];
    const lost = (await this.#redis.eval(RENEW_SCRIPT, documentNames.length, ...documentNames.map(leaseKey), this.#value, this.#leaseMs)) as number[];
    return lost.map((index) => documentNames[index - 1] as string);
  }

  /** Gives the lease up, if it is still ours. */
  async release(documentName: string): Promise<void> {
    await this.#redis.eval(RELEASE_SCRIPT, 1, leaseKey(documentName), this.#value);
  }

  async owner(documentName: string): Promise<LeaseHolder | null> {
    const value = await this.#redis.get(leaseKey(documentName));
    return value ? parseHolder(value) : null;
  }
}

function parseHolder(value: string): LeaseHolder | null {
  try {
    const parsed = JSON.parse(value) as Partial<LeaseHolder>;
    return typeof parsed.instance === 'string' && typeof parsed.url === 'string' ? { instance: parsed.instance, url: parsed.url } : null;
  } catch {
    return null;
  }
}
