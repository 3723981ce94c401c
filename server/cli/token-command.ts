// The `tandem token` subcommand: mints a development token for --auth jwt with an HS256 secret.
import { Option, type Command } from 'commander';
import { mintToken, parseDuration } from './token.ts';

export interface TokenCommandIo {
  /** Where the token goes (stdout): nothing else is written there, so `$(tandem token …)` works. */
  write(text: string): void;
}

/** Adds `token` to `program`; `env` supplies TANDEM_JWT_SECRET, TANDEM_JWT_AUDIENCE and TANDEM_JWT_ISSUER. */
export function registerTokenCommand(
  program: Command,
  env: Readonly<Record<string, string | undefined>>,
  io: TokenCommandIo = { write: (text) => process.stdout.write(text) },
): Command {
  return program
    .command('token')
    .description('mint a development token (HS256) for a server started with --auth jwt --jwt-secret')
    .requiredOption('--user <id>', 'user id (the "sub" claim)')
    .option('--name <name>', 'display name shown to other clients (default: the user id)')
    .option('--doc <pattern:permission...>', 'document grant, repeatable: read, comment, write or admin; * is a wildcard', collect, [])
    .option('--expires-in <duration>', 'lifetime: 90s, 30m, 12h, 7d', '1h')
    .addOption(new Option('--secret <secret>', 'HS256 secret as given to the server (default: TANDEM_JWT_SECRET, which keeps it out of shell history)'))
    .option('--audience <aud>', '"aud" claim (default: TANDEM_JWT_AUDIENCE)')
    .option('--issuer <iss>', '"iss" claim (default: TANDEM_JWT_ISSUER)')
    .action(async (options: { user: string; name?: string; doc: string[]; expiresIn: string; secret?: string; audience?: string; issuer?: string }) => {
      // The secret comes from the environment by preference, so it stays out of shell history.
      const secret = options.secret ?? env.TANDEM_JWT_SECRET;
      if (!secret) throw new Error('set TANDEM_JWT_SECRET (or pass --secret) to the server\'s --jwt-secret');
      const token = await mintToken({
        secret,
        user: options.user,
        name: options.name,
        docs: options.doc,
        expiresInSeconds: parseDuration(options.expiresIn),
        audience: options.audience ?? env.TANDEM_JWT_AUDIENCE,
        issuer: options.issuer ?? env.TANDEM_JWT_ISSUER,
      });
      io.write(`${token}\n`);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((item) => item.trim()).filter(Boolean)];
}
