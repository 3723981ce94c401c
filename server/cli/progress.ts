// Progress of a long CLI command on stderr: a bar on a terminal, a line now and then when redirected to a file.
import cliProgress from 'cli-progress';

export interface Progress {
  /** One more document done. */
  tick(documentName: string): void;
  stop(): void;
}

/** Lines at most this often when stderr is not a terminal (logs of a scripted migration stay short). */
const LINE_EVERY_MS = 1_000;

export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  return stream.isTTY ? barProgress(label, total, stream) : lineProgress(label, total, stream);
}

function barProgress(label: string, total: number, stream: NodeJS.WriteStream): Progress {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} [{bar}] {value}/{total} documents | {duration_formatted} elapsed, {eta_formatted} left | {document}`,
      // Left as the terminal has them: an interrupted copy (Ctrl-C) must not leave the cursor hidden or wrapping off.
      hideCursor: null,
      linewrap: null,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { document: '' });
  return {
    // Document names are user input, up to 200 characters: cut so the bar stays on one line.
    tick: (documentName) => bar.increment(1, { document: documentName.length > 32 ? `${documentName.slice(0, 31)}…` : documentName }),
    stop: () => bar.stop(),
  };
}

function lineProgress(label: string, total: number, stream: NodeJS.WriteStream): Progress {
  let done = 0;
  let lastLine = 0;
  // The first document's line too: a reader (or test) sees at once that copying is under way.
  const line = () => {
    lastLine = performance.now();
    stream.write(`${label}: ${done}/${total} documents\n`);
  };
  return {
    tick: () => {
      done += 1;
      if (done === 1 || done === total || performance.now() - lastLine >= LINE_EVERY_MS) line();
    },
    stop: () => {
      if (done === 0 && total === 0) line();
    },
  };
}
