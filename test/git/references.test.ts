/**
 * The root hydrator.metadata as Argo CD's Source Hydrator writes it, and its `references` from
 * Argocd-reference-commit-* trailers. The expected values follow Argo CD's own cases for
 * GetReferences (util/git) and its commit server's metadata test; the mail, URL and date
 * verdicts were compared once with Go's net/mail, net/url and time on the same inputs.
 */
import { describe, expect, it } from 'vitest';
import type { DryCommit } from '../../generators/git/provenance.js';
import { hydratorNote, rootMetadata } from '../../generators/git/provenance.js';
import { formatMailAddress, isGoUrl, messageTrailers, normalRfc3339, parseMailAddress, referenceOf, withoutReferenceTrailers } from '../../generators/git/references.js';

const SHA = 'abcdef0123456789abcdef0123456789abcdef01';
const author = { name: 'Ann Lee', email: 'ann@example.com', timestamp: 1714550400, offset: 120 };
const dry = (message: string): DryCommit => ({ sha: SHA, tree: '0'.repeat(40), author, committer: author, subject: '', body: '', message });
const references = (message: string) => referenceOf(messageTrailers(message));

describe('Argocd-reference-commit-* trailers', () => {
  const valid = [
    'Argocd-reference-commit-repourl: https://github.com/org/repo.git',
    'Argocd-reference-commit-author: John Doe <john.doe@example.com>',
    'Argocd-reference-commit-date: 2024-01-14T09:00:00.250+02:00',
    'Argocd-reference-commit-subject: Fix bug',
    'Argocd-reference-commit-body: "Fix bug\\n\\nSome: trailer"',
    'Argocd-reference-commit-sha: abc123',
  ];

  it('become one reference, each field normalised, and leave the body', () => {
    const message = `Bump image\n\nWhy: the fix.\n\n${valid.join('\n')}\n`;
    expect(references(message)).toEqual({
      author: '"John Doe" <john.doe@example.com>',
      date: '2024-01-14T09:00:00+02:00',
      subject: 'Fix bug',
      body: 'Fix bug\n\nSome: trailer',
      sha: 'abc123',
      repoUrl: 'https://github.com/org/repo.git',
    });
    // Argo CD's key order (Go struct order), not the trailers' order.
    expect(Object.keys(references(message)!)).toEqual(['author', 'date', 'subject', 'body', 'sha', 'repoUrl']);
    expect(withoutReferenceTrailers(`Why: the fix.\n\n${valid.join('\n')}`)).toBe('Why: the fix.\n\n');
  });

  it('are ignored when invalid, and then stay in the body', () => {
    const invalid = [
      'Argocd-reference-commit-repourl: % invalid %',
      'Argocd-reference-commit-date: invalid-date',
      'Argocd-reference-commit-sha: xyz123',
      'Argocd-reference-commit-body: this isn\'t json',
      'Argocd-reference-commit-author: % not email %',
      'Argocd-reference-commit-bogus:',
      'Argocd-reference-commit-unknown: foobar',
    ].join('\n');
    expect(references(`S\n\n${invalid}`)).toBeUndefined();
    expect(withoutReferenceTrailers(invalid)).toBe(`${invalid}\n`);
    // Some valid, some not: the valid ones make the reference and leave the body.
    const mixed = 'Argocd-reference-commit-sha: abc123\nArgocd-reference-commit-repourl: % invalid %\nArgocd-reference-commit-date: invalid-date';
    expect(references(`S\n\n${mixed}`)).toEqual({ sha: 'abc123' });
    expect(withoutReferenceTrailers(mixed)).toBe('Argocd-reference-commit-repourl: % invalid %\nArgocd-reference-commit-date: invalid-date\n');
  });

  it('take the last valid value of a field given twice', () => {
    const twice = 'Argocd-reference-commit-repourl: https://github.com/org/repo.git\nArgocd-reference-commit-repourl: https://github.com/another/repo.git';
    expect(references(`S\n\n${twice}`)).toEqual({ repoUrl: 'https://github.com/another/repo.git' });
    expect(withoutReferenceTrailers(twice)).toBe('');
  });

  it('count only in the trailer block, as git interpret-trailers finds it', () => {
    const trailer = 'Argocd-reference-commit-sha: abc123';
    // The subject paragraph is never trailers; a paragraph with prose is not a trailer block...
    expect(references(trailer)).toBeUndefined();
    expect(references(`S\n\n${trailer}\nand some prose`)).toBeUndefined();
    // ... unless git's own trailers make a quarter of it trailers.
    expect(references(`S\n\nSigned-off-by: A <a@b.c>\n${trailer}\nprose one\nprose two`)).toEqual({ sha: 'abc123' });
    // Only the last paragraph; a patch after --- is not part of the message.
    expect(references(`S\n\n${trailer}\n\nBody after.`)).toBeUndefined();
    expect(references(`S\n\n${trailer}\n---\nArgocd-reference-commit-sha: fff111`)).toEqual({ sha: 'abc123' });
    // Spacing around the colon is normalised, continuation lines are unfolded.
    expect(messageTrailers('S\n\nArgocd-reference-commit-subject : Long\n  subject\nKey:value')).toEqual(['Argocd-reference-commit-subject: Long subject', 'Key: value']);
  });
});

describe('normal forms, as Go writes them', () => {
  it('mail addresses: net/mail ParseAddress, then Address.String()', () => {
    const format = (s: string) => {
      const a = parseMailAddress(s);
      return a ? formatMailAddress(a) : undefined;
    };
    expect(format('John Doe <john.doe@example.com>')).toBe('"John Doe" <john.doe@example.com>');
    expect(format('john@example.com')).toBe('<john@example.com>');
    expect(format('"Doe, John" <j@example.com>')).toBe('"Doe, John" <j@example.com>');
    expect(format('A "quoted" name <a@b.c>')).toBe('"A quoted name" <a@b.c>');
    expect(format('  spaced   name   <s@e.com>  ')).toBe('"spaced name" <s@e.com>');
    expect(format('Name <"odd local"@example.com>')).toBe('<"odd local"@example.com>'.replace('<', '"Name" <'));
    expect(format('José Pérez <jose@example.com>')).toBe('=?utf-8?q?Jos=C3=A9_P=C3=A9rez?= <jose@example.com>');
    expect(format('Mr. Ünï <u@example.com>')).toBe('=?utf-8?b?TXIuIMOcbsOv?= <u@example.com>');
    for (const bad of ['% not email %', 'Jane <jane.@example.com>', 'x <a..b@c.d>', 'no-angle@', 'Zoë <z@x.y> trailing', '']) expect(format(bad), bad).toBeUndefined();
  });

  it('URLs: what url.Parse refuses', () => {
    for (const ok of ['https://github.com/org/repo.git', 'ssh://git@github.com/org/repo.git', 'relative/path', 'https://[::1]:8080/x', 'https://example.com/?q=%zz', 'file:///tmp/x']) expect(isGoUrl(ok), ok).toBe(true);
    // An scp-like address has a colon in its first path segment: refused, as Go refuses it.
    for (const bad of ['% invalid %', 'git@github.com:org/repo.git', 'http://host:port/x', 'http://ho st/x', 'https://example.com/%zz', 'https://example.com/#%zz', ':nope', 'a b\x01']) expect(isGoUrl(bad), bad).toBe(false);
  });

  it('dates: RFC 3339, no fraction, "Z" for a zero offset, the offset kept otherwise', () => {
    expect(normalRfc3339('2024-01-14T09:00:00.123456+02:00')).toBe('2024-01-14T09:00:00+02:00');
    expect(normalRfc3339('2024-01-14T09:00:00+00:00')).toBe('2024-01-14T09:00:00Z');
    expect(normalRfc3339('2024-01-14T09:00:00-00:00')).toBe('2024-01-14T09:00:00Z');
    for (const bad of ['2024-02-30T09:00:00Z', '2024-01-14 09:00:00Z', '2024-01-14t09:00:00z', '2024-01-14T24:00:00Z', 'invalid-date']) expect(normalRfc3339(bad), bad).toBeUndefined();
  });
});

describe('root hydrator.metadata', () => {
  it('is byte for byte what Argo CD writes: field names and order, UTC date, empty fields left out, trailers moved to references', () => {
    const message = 'Promote orders-api 2.9.0\n\nBuilt by the release pipeline.\nSigned-off-by: Ann Lee <ann@example.com>\n\nArgocd-reference-commit-sha: 0123456789abcdef0123456789abcdef01234567\nArgocd-reference-commit-author: Bo <bo@example.com>\nArgocd-reference-commit-date: 2024-04-30T18:00:00-05:00\nArgocd-reference-commit-repourl: https://github.com/example-shop/orders-api.git\n';
    expect(rootMetadata(dry(message), 'https://github.com/example-shop/shop-gitops.git')).toBe(
      [
        '{',
        '  "repoURL": "https://github.com/example-shop/shop-gitops.git",',
        `  "drySha": "${SHA}",`,
        '  "author": "Ann Lee <ann@example.com>",',
        '  "date": "2024-05-01T08:00:00Z",',
        '  "subject": "Promote orders-api 2.9.0",',
        '  "body": "Built by the release pipeline.\\nSigned-off-by: Ann Lee <ann@example.com>\\n\\n",',
        '  "references": [',
        '    {',
        '      "commit": {',
        '        "author": "\\"Bo\\" <bo@example.com>",',
        '        "date": "2024-04-30T18:00:00-05:00",',
        '        "sha": "0123456789abcdef0123456789abcdef01234567",',
        '        "repoUrl": "https://github.com/example-shop/orders-api.git"',
        '      }',
        '    }',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
    // A subject alone: no body, no references; HTML characters unescaped, U+2028 escaped, as Go does.
    expect(JSON.parse(rootMetadata(dry('Only <a> & subject'), 'https://x.example/r.git'))).toEqual({
      repoURL: 'https://x.example/r.git',
      drySha: SHA,
      author: 'Ann Lee <ann@example.com>',
      date: '2024-05-01T08:00:00Z',
      subject: 'Only <a> & subject',
    });
    expect(rootMetadata(dry('Line\u2028sep'), 'https://x.example/r.git')).toContain('"subject": "Line\\u2028sep"');
  });

  it('the note is what `git notes add -m` stores for Argo CD', () => {
    expect(hydratorNote(SHA)).toBe(`{"drySha":"${SHA}"}\n`);
  });
});
