import { versionOrderKey } from './versionOrderKey';

/** Sorts versions by their keys, as SQL does (byte order). */
function sorted(versions: string[]): string[] {
  return [...versions].sort((a, b) => {
    const ka = versionOrderKey(a);
    const kb = versionOrderKey(b);
    if (ka === kb) return 0;
    return ka < kb ? -1 : 1;
  });
}

describe('versionOrderKey', () => {
  it('orders numbers as numbers', () => {
    expect(
      sorted(['1.10.0', '1.4.10', '1.4.9', '1.4.2', '2.0.0', '1.4']),
    ).toEqual(['1.4', '1.4.2', '1.4.9', '1.4.10', '1.10.0', '2.0.0']);
    expect(sorted(['build-100', 'build-99', 'build-7'])).toEqual([
      'build-7',
      'build-99',
      'build-100',
    ]);
  });

  it('puts pre-releases before their release, numbers before letters', () => {
    expect(
      sorted([
        '1.5.0',
        '1.5.0-rc.10',
        '1.5.0-rc.2',
        '1.5.0-alpha',
        '1.5.0-1',
        '1.4.99',
        '1.5.1-beta',
      ]),
    ).toEqual([
      '1.4.99',
      '1.5.0-1',
      '1.5.0-alpha',
      '1.5.0-rc.2',
      '1.5.0-rc.10',
      '1.5.0',
      '1.5.1-beta',
    ]);
  });

  it('ignores a leading v, case and leading zeros; build metadata counts last', () => {
    expect(versionOrderKey('v1.4.2')).toBe(versionOrderKey('1.4.2'));
    expect(versionOrderKey('1.4.02')).toBe(versionOrderKey('1.4.2'));
    expect(versionOrderKey('1.5.0-RC.1')).toBe(versionOrderKey('1.5.0-rc.1'));
    expect(sorted(['1.4.2+b2', '1.4.3', '1.4.2+b1', '1.4.2'])).toEqual([
      '1.4.2',
      '1.4.2+b1',
      '1.4.2+b2',
      '1.4.3',
    ]);
  });

  it('is hex, so that every collation orders it alike', () => {
    expect(versionOrderKey('1.4.2-rc_1+Build.7')).toMatch(/^[0-9a-f]+$/);
  });
});
