// What a mounted page gives back to the router: a way to release everything it holds.

export interface Page {
  dispose(): void;
}
