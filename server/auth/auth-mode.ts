// The authentication mode at start-up: the token verifier of jwt mode, and the warnings open access earns.
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { isLoopback } from './host-check.ts';
import { loadVerificationKey } from './keys.ts';
import { TokenVerifier } from './tokens.ts';

/** The verifier of jwt mode (null with --auth none); a bad key file throws, naming the setting. */
export function createVerifier(config: Config): TokenVerifier | null {
  return config.auth === 'jwt'
    ? new TokenVerifier({ key: loadVerificationKey(config), audience: config.jwtAudience, issuer: config.jwtIssuer })
    : null;
}

/** Logs a warning for each way --auth none leaves documents open beyond this machine's own user. */
export function warnAboutOpenAccess(config: Config, log: Logger): void {
  if (config.auth !== 'none') return;
  if (!isLoopback(config.host)) {
    log.warn({ host: config.host }, 'NO AUTHENTICATION: --auth none on a non-loopback address; anyone who can reach this port can read and edit every document');
  }
  if (config.allowedOrigins.includes('*')) {
    log.warn('--allowed-origins * with --auth none: any web page open in a browser on this machine can read and edit every document');
  }
}
