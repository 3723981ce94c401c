// Standalone `token` command until the shared `tandem` CLI mounts registerTokenCommand.
import { Command } from 'commander';
import { registerTokenCommand } from './token-command.ts';

const program = new Command('tandem').exitOverride();
registerTokenCommand(program, process.env);
program.parseAsync(process.argv).catch((error: unknown) => {
  if ((error as { code?: string }).code?.startsWith('commander.')) process.exit((error as { exitCode?: number }).exitCode ?? 2);
  process.stderr.write(`tandem token: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
