// The `tandem` command line: documents, versions, export and import against a running server; export, backup,
// restore and migrate-store straight on a store.
import { readFile, writeFile } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import type { Change, RestoreResult, ShareLinkInfo, TrashedDocument, VersionDiff, VersionMeta } from '../../common/api-types.ts';
import { AppError, isAppError } from '../errors.ts';
import { parseFormat, type Rendered } from '../versions/render.ts';
import { AdminClient, documentPath } from './admin-client.ts';
import { exportFromDataDir } from './data-dir.ts';
import { registerStoreCommands } from './store-commands.ts';
import { registerTokenCommand } from './token-command.ts';

interface GlobalOptions {
  server: string;
  adminToken?: string;
}

function createProgram(env: NodeJS.ProcessEnv): Command {
  const program = new Command('tandem')
    .description('Tandem admin: documents, version history, export, import; backup, restore and migrate-store')
    .addOption(new Option('--server <url>', 'a running Tandem server').env('TANDEM_SERVER').default('http://127.0.0.1:1234'))
    .addOption(new Option('--admin-token <token>', 'admin token for /api').env('TANDEM_ADMIN_TOKEN'))
    .exitOverride();
  const client = () => {
    const options = program.opts<GlobalOptions>();
    return new AdminClient({ server: options.server, adminToken: options.adminToken });
  };

  const documents = program.command('documents').description('stored documents');
  documents
    .command('list')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { documents: list } = await client().json<{ documents: Array<{ name: string; updatedAt: string; bytes: number }> }>('GET', '/documents');
      if (options.json) return print(JSON.stringify(list, null, 2));
      for (const doc of list) print(`${doc.name}\t${doc.updatedAt}\t${doc.bytes} bytes`);
    });
  documents
    .command('rename <doc> <new-name>')
    .description('rename a document; its versions and share links go along, and its editors follow')
    .action(async (name: string, to: string) => {
      await client().json('POST', `${documentPath(name)}/rename`, { to });
      print(`renamed ${name} to ${to}`);
    });
  documents
    .command('delete <doc>')
    .description('move a document to the trash (closes its connections first); restorable for --trash-days')
    .option('--permanent', 'delete it and its versions at once, with nothing kept to restore')
    .action(async (name: string, options: { permanent?: boolean }) => {
      if (options.permanent) {
        await client().request('DELETE', `${documentPath(name)}?permanent=true`);
        return print(`deleted ${name} for good`);
      }
      const trashed = await client().json<TrashedDocument>('DELETE', documentPath(name));
      print(`moved ${name} to the trash; restorable until ${trashed.purgeAt} (tandem documents restore ${JSON.stringify(name)})`);
    });
  documents
    .command('trash')
    .description('list deleted documents that can still be restored')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { documents: list } = await client().json<{ documents: TrashedDocument[] }>('GET', '/trash');
      if (options.json) return print(JSON.stringify(list, null, 2));
      if (list.length === 0) return print('the trash is empty');
      for (const doc of list) print(`${doc.name}\tdeleted ${doc.deletedAt}${doc.deletedBy ? ` by ${doc.deletedBy}` : ''}\tpurged ${doc.purgeAt}\t${doc.bytes} bytes`);
    });
  documents
    .command('restore <doc>')
    .description('bring a deleted document back from the trash (the most recently deleted one of that name)')
    .option('--as <name>', 'restore it under another name (when its own is taken again)')
    .option('--deleted-at <time>', 'the one deleted at this time, as `documents trash` lists it')
    .action(async (name: string, options: { as?: string; deletedAt?: string }) => {
      const restored = await client().json<{ name: string }>('POST', `${documentPath(name)}/restore`, { as: options.as, deletedAt: options.deletedAt });
      print(`restored ${restored.name}`);
    });

  const versions = program.command('versions').description('named versions of a document');
  versions
    .command('list <doc>')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      const { versions: list } = await client().json<{ versions: VersionMeta[] }>('GET', `${documentPath(name)}/versions`);
      if (options.json) return print(JSON.stringify(list, null, 2));
      for (const v of list) print(`${v.id}\t${v.createdAt}\t${v.kind}\t${v.author ?? '-'}\t${v.label}`);
    });
  versions
    .command('create <doc>')
    .option('--label <label>', 'a name for the version', '')
    .option('--author <author>', 'who saved it')
    .action(async (name: string, options: { label: string; author?: string }) => {
      const { version } = await client().json<{ version: VersionMeta }>('POST', `${documentPath(name)}/versions`, options);
      print(`created version ${version.id} of ${name}`);
    });
  versions
    .command('show <doc> <id>')
    .option('--format <format>', 'json, html, md, text or yjs', 'md')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (name: string, id: string, options: { format: string; out?: string }) => {
      const format = parseFormat(options.format);
      const response = await client().request('GET', `${documentPath(name)}/versions/${encodeURIComponent(id)}?format=${format}`);
      await output({ contentType: '', body: new Uint8Array(await response.arrayBuffer()) }, options.out);
    });
  versions
    .command('diff <doc> <id>')
    .option('--to <id>', 'another version id, or "now"', 'now')
    .option('--json', 'print JSON')
    .action(async (name: string, id: string, options: { to: string; json?: boolean }) => {
      const diff = await client().json<VersionDiff>(
        'GET',
        `${documentPath(name)}/versions/${encodeURIComponent(id)}/diff?to=${encodeURIComponent(options.to)}`,
      );
      if (options.json) return print(JSON.stringify(diff, null, 2));
      print(`version ${diff.from} → ${diff.to}: ${diff.summary.added} added, ${diff.summary.removed} removed, ${diff.summary.changed} changed`);
      for (const change of diff.changes) print(formatChange(change));
    });
  versions
    .command('restore <doc> <id>')
    .option('--author <author>', 'who restored it')
    .action(async (name: string, id: string, options: { author?: string }) => {
      const result = await client().json<RestoreResult>(
        'POST',
        `${documentPath(name)}/versions/${encodeURIComponent(id)}/restore`,
        options,
      );
      print(`restored version ${result.restored.id}; undo with: tandem versions restore ${shellWord(name)} ${result.beforeRestore.id}`);
    });
  versions
    .command('delete <doc> <id>')
    .action(async (name: string, id: string) => {
      await client().request('DELETE', `${documentPath(name)}/versions/${encodeURIComponent(id)}`);
      print(`deleted version ${id} of ${name}`);
    });

  const links = program.command('links').description('share links of a document (jwt mode): a role, an optional expiry, revocable');
  links
    .command('list <doc>')
    .option('--json', 'print JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      const { links: list } = await client().json<{ links: ShareLinkInfo[] }>('GET', `${documentPath(name)}/links`);
      if (options.json) return print(JSON.stringify(list, null, 2));
      for (const link of list) print([link.id, link.role, linkState(link), link.createdBy, link.url ?? '-'].join('\t'));
    });
  links
    .command('create <doc>')
    .description('prints the link: anyone with it opens the document with the role')
    .addOption(new Option('--role <role>', 'view or edit').choices(['view', 'edit']).default('view'))
    .option('--expires <duration>', 'e.g. 30m, 12h, 7d (default: until revoked)')
    .action(async (name: string, options: { role: 'view' | 'edit'; expires?: string }) => {
      const body = { role: options.role === 'edit' ? 'write' : 'read', expiresInSeconds: options.expires === undefined ? null : durationSeconds(options.expires) };
      const link = await client().json<ShareLinkInfo>('POST', `${documentPath(name)}/links`, body);
      print(link.url ?? '');
      process.stderr.write(`link ${link.id}: ${options.role} ${name}, ${linkState(link)}; revoke with: tandem links revoke ${shellWord(name)} ${link.id}\n`);
    });
  links
    .command('revoke <doc> <id>')
    .description('ends a link; editors that opened it are closed within a second')
    .action(async (name: string, id: string) => {
      await client().json<ShareLinkInfo>('DELETE', `${documentPath(name)}/links/${encodeURIComponent(id)}`);
      print(`revoked link ${id} of ${name}`);
    });

  program
    .command('export <doc>')
    .description('a document (or one version) as json, html, md, text or yjs')
    .option('--format <format>', 'json, html, md, text or yjs', 'md')
    .option('--version <id>', 'a version instead of the current content')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--data-dir <path>', 'read a stopped server’s data directory instead of asking the server')
    .action(async (name: string, options: { format: string; version?: string; out?: string; dataDir?: string }) => {
      const format = parseFormat(options.format);
      if (options.dataDir) {
        const version = options.version === undefined ? undefined : Number(options.version);
        return output(await exportFromDataDir(options.dataDir, name, format, version), options.out);
      }
      const path = options.version
        ? `${documentPath(name)}/versions/${encodeURIComponent(options.version)}?format=${format}`
        : `${documentPath(name)}/export?format=${format}`;
      await output({ contentType: '', body: await client().bytes('GET', path) }, options.out);
    });

  program
    .command('import <doc> <file>')
    .description('replace a document’s content with Markdown (.md), HTML (.html), ProseMirror JSON (.json) or a Yjs update (.yjs); records an imported version')
    .option('--label <label>', 'label of the imported version', 'Imported')
    .action(async (name: string, file: string, options: { label: string }) => {
      const data = new Uint8Array(await readFile(file).catch((error: NodeJS.ErrnoException) => {
        throw new AppError('bad-request', error.code === 'ENOENT' ? `${file}: no such file` : `cannot read ${file}: ${error.message}`);
      }));
      const type = importType(file);
      const response = await client().request('PUT', `${documentPath(name)}?label=${encodeURIComponent(options.label)}`, { type, data });
      const { version } = (await response.json()) as { version: VersionMeta };
      print(`imported ${file} into ${name} as version ${version.id}`);
    });

  // migrate-store, backup, restore, migrate: straight on a store, without a running server.
  registerStoreCommands(program);

  // `tandem token --user alice --doc 'team-*:write'`: development tokens signed with TANDEM_JWT_SECRET.
  registerTokenCommand(program, env);
  return program;
}

function formatChange(change: Change): string {
  const where = `[${change.root}] ${change.block}`;
  if (change.kind === 'added') return `+ ${where}: ${change.text}`;
  if (change.kind === 'removed') return `- ${where}: ${change.text}`;
  const parts = change.parts.map((part) => (part.op === 'equal' ? part.text : part.op === 'insert' ? `{+${part.text}+}` : `[-${part.text}-]`));
  return `~ ${where}: ${parts.join('')}`;
}

async function output(rendered: Rendered, file: string | undefined): Promise<void> {
  const data = typeof rendered.body === 'string' ? Buffer.from(rendered.body) : rendered.body;
  if (file) await writeFile(file, data);
  else await new Promise<void>((resolve, reject) => process.stdout.write(data, (error) => (error ? reject(error) : resolve())));
}

/** The import's content type, from the file's extension. */
function importType(file: string): string {
  const extension = /\.([^./\\]+)$/.exec(file)?.[1]?.toLowerCase();
  if (extension === 'json') return 'application/json';
  if (extension === 'md' || extension === 'markdown') return 'text/markdown';
  if (extension === 'html' || extension === 'htm') return 'text/html';
  return 'application/octet-stream';
}

function linkState(link: ShareLinkInfo): string {
  if (link.revokedAt !== null) return `revoked ${new Date(link.revokedAt).toISOString()}`;
  if (link.expiresAt === null) return 'until revoked';
  return `${link.expiresAt > Date.now() ? 'expires' : 'expired'} ${new Date(link.expiresAt).toISOString()}`;
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90`, `30m`, `12h`, `7d` → seconds; a clear error otherwise. */
function durationSeconds(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match || Number(match[1]) === 0) throw new AppError('bad-request', `--expires "${text}": give a duration such as 30m, 12h or 7d`);
  return Number(match[1]) * DURATION_UNITS[match[2] || 's']!;
}

function shellWord(word: string): string {
  return /^[\w.@%+=:,-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  try {
    await createProgram(process.env).parseAsync(process.argv.slice(2), { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    const message = isAppError(error) ? error.message : error instanceof Error ? error.message : String(error);
    process.stderr.write(`tandem: ${message}\n`);
    process.exit(isAppError(error) && error.code !== 'internal' ? 1 : 2);
  }
}

void main();
