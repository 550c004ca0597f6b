/**
 * Exit codes and the error type every command throws for a problem the user
 * can act on. Kept apart from cli.ts so the dependency runs one way: cli.ts
 * imports the commands, the commands import this.
 */
export const EXIT = { ok: 0, findings: 1, usage: 2, unreachable: 3, internal: 4 } as const;

/** An error the user can act on: printed without a stack trace, with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
  }
}

