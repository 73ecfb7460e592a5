/** Where a command's output goes: stdout and stderr lines, and the exit code it asks for. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  exit(code: number): void;
}
