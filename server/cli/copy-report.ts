// What a copy command did to each document, summed up for the operator, and the error it ends with if any.
import { AppError } from '../errors.ts';
import type { CopyOutcome } from './document-copy.ts';
import type { EventsCopy } from './events-copy.ts';
import type { LinksCopy } from './links-copy.ts';
import type { OutboxCopy } from './outbox-copy.ts';

interface Problem {
  name: string;
  reason: string;
}

/** How many names a message lists before "and N more". */
const NAMES_SHOWN = 20;

export class CopyReport {
  copied = 0;
  completed = 0;
  present = 0;
  versionsCopied = 0;
  outbox: OutboxCopy | null = null;
  links: LinksCopy | null = null;
  /** Forwarding addresses of renamed and deleted names copied. */
  forwards = 0;
  /** Change-feed events written (store to store only), and documents whose target kept events of its own. */
  events: { copied: number; kept: number } | null = null;
  readonly conflicts: Problem[] = [];
  readonly mismatches: Problem[] = [];
  readonly unreadable: Problem[] = [];

  record(name: string, outcome: CopyOutcome): void {
    if (outcome.status === 'conflict') this.conflicts.push({ name, reason: outcome.reason });
    else if (outcome.status === 'mismatch') this.mismatches.push({ name, reason: outcome.reason });
    else {
      this[outcome.status] += 1;
      this.versionsCopied += outcome.versionsCopied;
    }
  }

  recordEvents(copy: EventsCopy): void {
    this.events ??= { copied: 0, kept: 0 };
    if (copy.status === 'kept') this.events.kept += 1;
    else this.events.copied += copy.events;
  }

  /** A document with a damaged record, in the source or the target: the others are still copied. */
  cannotRead(name: string, error: Error): void {
    this.unreadable.push({ name, reason: error.message });
  }

  /** Documents not copied: refused as another one, failed verification, or unreadable. */
  refusedNames(): string[] {
    return [...this.conflicts, ...this.mismatches, ...this.unreadable].map((problem) => problem.name);
  }

  get verified(): number {
    return this.copied + this.completed + this.present;
  }

  /** One line for stdout. */
  summary(): string {
    const parts = [
      `${this.verified} document(s) verified: ${this.copied} copied, ${this.completed} completed, ${this.present} already there`,
      `${this.versionsCopied} version(s) copied`,
    ];
    if (this.outbox) parts.push(`webhook outbox: ${this.outbox.pending} pending, ${this.outbox.deadLetters} dead (${this.outbox.copied} copied)`);
    if (this.events) {
      const kept = this.events.kept > 0 ? `, ${this.events.kept} document(s) kept the target's own` : '';
      parts.push(`change-feed events: ${this.events.copied} copied${kept}`);
    }
    if (this.forwards > 0) parts.push(`forwarding addresses of renamed and deleted names: ${this.forwards} copied`);
    if (this.links) {
      const secret = {
        copied: 'their generated signing secret copied',
        same: 'the same signing secret on both',
        none: 'no generated signing secret on the source',
        differs: 'the target has a signing secret of its own: links made on the source do not open there (make new ones)',
      }[this.links.secret];
      parts.push(`share links: ${this.links.copied} copied, ${secret}`);
    }
    return parts.join('; ');
  }

  /** The error to exit with, naming every document not copied and verified, or null when all were. */
  failure(): AppError | null {
    const sections: string[] = [];
    if (this.mismatches.length > 0) {
      sections.push(`${this.mismatches.length} document(s) failed verification (the target does not read back what was copied):\n${list(this.mismatches)}`);
    }
    if (this.conflicts.length > 0) {
      sections.push(
        `${this.conflicts.length} document(s) exist in the target with content or versions of their own and were not copied:\n${list(this.conflicts)}\n` +
          'They are not a copy of these documents (or were edited there since). Delete them from the target, or copy into an empty ' +
          'store, and run the same command again: documents already copied are skipped.',
      );
    }
    if (this.unreadable.length > 0) {
      sections.push(`${this.unreadable.length} document(s) have a damaged record and were not copied (or not verified):\n${list(this.unreadable)}`);
    }
    return sections.length === 0 ? null : new AppError('storage-failed', sections.join('\n'));
  }
}

function list(problems: Problem[]): string {
  const shown = problems.slice(0, NAMES_SHOWN).map((problem) => `  ${JSON.stringify(problem.name)}: ${problem.reason}`);
  if (problems.length > NAMES_SHOWN) shown.push(`  … and ${problems.length - NAMES_SHOWN} more`);
  return shown.join('\n');
}
