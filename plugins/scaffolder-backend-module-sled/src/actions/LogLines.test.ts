import { LogLines } from './LogLines';

describe('LogLines', () => {
  it('writes whole lines as their newline comes, joining chunks split mid-line, and the rest on flush', () => {
    const written: string[] = [];
    const lines = new LogLines(line => written.push(line));

    lines.push('one\ntw');
    expect(written).toEqual(['one']);
    lines.push('o\r\nthr');
    lines.push('ee\n\nfour');
    expect(written).toEqual(['one', 'two', 'three', '']);
    lines.flush();
    expect(written).toEqual(['one', 'two', 'three', '', 'four']);
    lines.flush();
    expect(written).toHaveLength(5);
  });
});
