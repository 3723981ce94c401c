// What a document page hands the page it opens when it follows its document to a new name (a rename): a line
// to show there; its own Yjs state, which may hold edits the server never acknowledged (the new page merges it,
// and its provider sends what the server lacks: the renamed document has the same history, so nothing else
// changes); and where the caret was, so someone typing carries on in the same place.

export interface Arrival {
  /** The name the next page opens. */
  name: string;
  message: string;
  state: Uint8Array;
  /** The selection when the editor had the focus (the same positions fit: the text is the same), else null. */
  selection: { from: number; to: number } | null;
}

let pending: Arrival | null = null;

export function leaveArrival(arrival: Arrival): void {
  pending = arrival;
}

/** The arrival left for `name`, once; null when none was (or it was for another page). */
export function takeArrival(name: string): Arrival | null {
  const arrival = pending;
  pending = null;
  return arrival?.name === name ? arrival : null;
}
