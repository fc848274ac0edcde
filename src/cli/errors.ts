// Errors the CLI reports as one line and an exit status scripts can trust.

export const EXIT = { ok: 0, error: 1, usage: 2, notFound: 3, forbidden: 4 } as const;

export class CliError extends Error {
  constructor(message: string, readonly code: number = EXIT.error) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string): CliError => new CliError(message, EXIT.usage);
