// What the new-document form says about the name typed so far: a pure function, so every case is testable.

import { documentNameProblem } from '../../common/names.ts';

export interface NameFeedback {
  /** Why the name cannot be used (the server's own rule), or null; submitting is refused while it is set. */
  problem: string | null;
  /** The sentence under the field, or null while there is nothing to say yet. */
  message: string | null;
  /** The button opens a document that is already listed, or creates a new one. */
  action: 'Open' | 'Create';
}

/** `submitted`: the person has pressed the button at least once. */
export function nameFeedback(name: string, submitted: boolean, listed: readonly string[]): NameFeedback {
  const problem = documentNameProblem(name);
  // Before the first attempt an empty field is not an error yet, just unfinished.
  const shown = problem !== null && (submitted || name !== '') ? problem : null;
  return { problem, message: shown === null ? null : sentence(shown), action: listed.includes(name) ? 'Open' : 'Create' };
}

/** The server words its rules as clauses ("a document name must …"); the form shows them as sentences. */
export function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1) + (text.endsWith('.') ? '' : '.');
}
