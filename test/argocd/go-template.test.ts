import { describe, expect, it } from 'vitest';
import { namespaceLookup, syncOptions } from '../../generators/argocd/applicationsets.js';
import { renderGoTemplate, TemplateError } from './go-template.js';

const params = (path: string, values: Record<string, string>) => ({
  path: { path, basename: path.split('/').pop()!, segments: path.split('/') },
  values,
});

/** Outputs of Go's text/template (missingkey=error, sprig's fail) on the same templates and data. */
describe('Go template subset used by the ApplicationSets', () => {
  it('looks the directory up in the values table', () => {
    expect(renderGoTemplate(namespaceLookup('dev'), params('dev/orders-worker', { 'orders-worker': 'orders' }))).toBe('orders');
    expect(renderGoTemplate(namespaceLookup('dev'), params('dev/cluster-metadata', { 'cluster-metadata': 'argocd' }))).toBe('argocd');
  });

  it('fails, naming the directory, when the table has no entry for it', () => {
    expect(() => renderGoTemplate(namespaceLookup('dev'), params('dev/new-app', { 'orders-api': 'orders' }))).toThrow(
      'error calling fail: dev/new-app has no namespace in ApplicationSet dev: the branch is ahead of the hub; sync the Application gitops-bridge',
    );
  });

  it('creates the namespace for cluster-metadata only', () => {
    const option = syncOptions().find((o) => o.startsWith('CreateNamespace='))!;
    expect(renderGoTemplate(option, params('dev/cluster-metadata', {}))).toBe('CreateNamespace=true');
    expect(renderGoTemplate(option, params('dev/orders-api', {}))).toBe('CreateNamespace=false');
  });

  it('errors on a missing key (missingkey=error) and on what it does not implement', () => {
    expect(() => renderGoTemplate('{{ .path.nope }}', params('dev/a', {}))).toThrow('map has no entry for key "nope"');
    expect(() => renderGoTemplate('{{ .path.path | upper }}', params('dev/a', {}))).toThrow(TemplateError);
    expect(() => renderGoTemplate('{{ if .path }}x{{ end }}', params('dev/a', {}))).toThrow(TemplateError);
    expect(renderGoTemplate('dev-{{ .path.basename }}', params('dev/a', {}))).toBe('dev-a');
  });
});
