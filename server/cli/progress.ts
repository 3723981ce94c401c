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
      hideCursor: true,
      // Document names are user input: keep them from wrapping the bar onto a second line.
      linewrap: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { document: '' });
  return {
    tick: (documentName) => bar.increment(1, { document: documentName }),
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
