// SIGKILL trials for comments: providers open threads and reply as fast as the server answers, the real server
// process is killed at a random moment and restarted on the same store, and every comment it answered "stored"
// must be in the document.
import assert from 'node:assert/strict';
import * as prng from 'lib0/prng';
import { COMMENT_MESSAGE, COMMENT_RESULT, COMMENTS_ROOT, type CommentResult, type Thread } from '../../common/comments.ts';
import { connectClient, waitFor, type TestClient } from './providers.ts';
import { killAndWait, startServerProcess, type ServerProcess } from './server-process.ts';
import { makeTempDir } from './server.ts';

export interface CommentCrashOptions {
  seed: number;
  trials: number;
  log: (line: string) => void;
  /** PostgreSQL URL (kept running); a LevelDB data dir of its own without it. */
  databaseUrl?: string;
  commenters?: number;
}

const DOC = 'crash-comments';

/** One commenter: opens a thread, then replies to it, one message after the other; records what was answered ok. */
function startCommenter(client: TestClient, name: string, acknowledged: Set<string>): { stop(): void; sent(): number } {
  let stopped = false;
  let sent = 0;
  const waiting = new Map<string, string>();
  let next = () => {};
  client.provider.on('stateless', ({ payload }: { payload: string }) => {
    const result = JSON.parse(payload) as CommentResult;
    if (result.type !== COMMENT_RESULT) return;
    const commentId = waiting.get(result.requestId);
    waiting.delete(result.requestId);
    if (commentId && result.ok) acknowledged.add(commentId);
    next();
  });
  const threadId = `${name}-thread`;
  next = () => {
    if (stopped) return;
    sent += 1;
    const commentId = `${name}-${sent}`;
    const requestId = `req-${commentId}`;
    waiting.set(requestId, commentId);
    const action = sent === 1
      ? { action: 'create', threadId, commentId, anchor: null, quote: '', body: `opened by ${name}` }
      : { action: 'reply', threadId, commentId, body: `reply ${sent} from ${name}` };
    client.provider.sendStateless(JSON.stringify({ type: COMMENT_MESSAGE, requestId, as: { id: name, name }, ...action }));
  };
  next();
  return {
    stop: () => void (stopped = true),
    sent: () => sent,
  };
}

export async function runCommentCrashTrials(options: CommentCrashOptions): Promise<{ acknowledged: number; sent: number }> {
  const random = prng.create(options.seed);
  const dataDir = await makeTempDir('tandem-comment-crash-');
  const args = options.databaseUrl ? ['--database-url', options.databaseUrl] : [];
  const acknowledged = new Set<string>();
  let sent = 0;
  let server: ServerProcess | undefined;
  try {
    for (let trial = 1; trial <= options.trials; trial++) {
      server = await startServerProcess({ dataDir, args });
      const clients = await Promise.all(Array.from({ length: options.commenters ?? 3 }, () => connectClient(server!.wsUrl, DOC)));
      const commenters = clients.map((client, i) => startCommenter(client, `t${trial}c${i}`, acknowledged));
      const before = acknowledged.size;
      await waitFor(() => acknowledged.size > before, 10_000, 'a first stored comment');
      await new Promise((resolve) => setTimeout(resolve, prng.int32(random, 20, 300)));
      server.kill('SIGKILL');
      await server.waitForExit();
      for (const commenter of commenters) commenter.stop();
      sent += commenters.reduce((sum, commenter) => sum + commenter.sent(), 0);
      for (const client of clients) client.destroy();

      // Back on the same store: everything answered "stored" is there.
      server = await startServerProcess({ dataDir, args, port: server.port });
      const reader = await connectClient(server.wsUrl, DOC);
      const stored = new Set([...reader.doc.getMap<Thread>(COMMENTS_ROOT).values()].flatMap((thread) => thread.comments.map((comment) => comment.id)));
      reader.destroy();
      const lost = [...acknowledged].filter((id) => !stored.has(id));
      assert.deepEqual(lost, [], `trial ${trial} (seed ${options.seed}): comments answered "stored" are missing after SIGKILL`);
      options.log(`trial ${trial}: ${acknowledged.size} comments acknowledged so far, ${stored.size} stored, none lost`);
      await killAndWait(server);
      server = undefined;
    }
  } finally {
    await killAndWait(server);
  }
  return { acknowledged: acknowledged.size, sent };
}
