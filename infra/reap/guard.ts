/**
 * The reaper's guards: no call waits forever, and no credential leaves in what it prints or logs.
 */
import { redact } from "../../cost/config/redact";

/** The error a call that ran out of time rejects with. */
export class DeadlineError extends Error {
  override readonly name = "DeadlineError";
}

/**
 * `work`, or a DeadlineError after `ms`. The losing call is not cancelled (not every client can be),
 * but nothing waits for it: the run goes on to its audit line and exit.
 */
export async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every credential shape (URL userinfo, tokens, keys, JWTs, PEM): the one redaction pass. */
export const redactCredentials = redact;
