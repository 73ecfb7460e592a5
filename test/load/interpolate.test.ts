import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../generators/core/errors.js';
import { interpolate } from '../../generators/load/interpolate.js';

const ctx = {
  variables: { 'env.name': 'dev', 'env.domain': 'dev.example.com' },
  bridge: { aws_region: 'eu-west-1' },
  unknown: (key: string, pointer: string) => new BridgeError({ code: 'unknown-bridge-key', message: `no ${key}`, pointer }),
};

describe('interpolate', () => {
  it('resolves variables and bridge keys anywhere in the spec, and $${ stays literal', () => {
    const out = interpolate({ host: 'www.${env.domain}', list: ['${bridge.aws_region}', 'cost $${HOME}'], n: 3 }, ctx);
    expect(out).toEqual({ host: 'www.dev.example.com', list: ['eu-west-1', 'cost ${HOME}'], n: 3 });
  });

  it('an unknown bridge key is reported with its pointer', () => {
    expect(() => interpolate({ a: { b: '${bridge.nope}' } }, ctx)).toThrowError(/no nope/);
    try {
      interpolate({ a: { b: '${bridge.nope}' } }, ctx);
    } catch (e) {
      expect((e as BridgeError).pointer).toBe('/a/b');
    }
  });

  it('an unknown variable suggests the nearest one', () => {
    expect(() => interpolate({ a: '${env.domian}' }, ctx)).toThrowError(/unknown reference \$\{env.domian\}/);
    try {
      interpolate({ a: '${env.domian}' }, ctx);
    } catch (e) {
      expect((e as BridgeError).hint).toContain('did you mean ${env.domain}?');
    }
  });
});
