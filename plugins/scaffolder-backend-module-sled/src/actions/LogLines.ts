/**
 * Turns streamed text into whole lines for a logger: a line is written once
 * its newline came, and what is left at the end by `flush`.
 */
export class LogLines {
  private rest = '';

  constructor(private readonly write: (line: string) => void) {}

  push(text: string): void {
    const lines = (this.rest + text).split(/\r?\n/);
    this.rest = lines.pop() ?? '';
    for (const line of lines) this.write(line);
  }

  flush(): void {
    if (this.rest) this.write(this.rest);
    this.rest = '';
  }
}
