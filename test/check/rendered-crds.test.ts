/**
 * CRDs rendered in an environment validate that environment's custom resources, strictly:
 * at the check's level (checkUnitObjects with a sibling lookup), at a unit group's
 * (engine/unit-group.ts renderGroup, where the reads are recorded), and across an incremental
 * render (a CRD changed in one unit changes the finding of a custom resource in another).
 * Units render CRDs and custom resources here through overlay patches that replace a whole
 * object (`op: replace, path: ""`), the one way an app renders arbitrary objects today.
 */
import { describe, expect, it } from 'vitest';
import { syntheticFleet } from '../../bench/synthetic-fleet.js';
import type { KubeObject, RenderedObject } from '../../generators/charts/object.js';
import { checkUnitObjects, SCHEMA_POLICY, type SiblingLookup, type UnitFinding } from '../../generators/check/check.js';
import { loadDeclaredSchemas, type DeclaredSchemas } from '../../generators/check/declared-schemas.js';
import { compiledSchema } from '../../generators/check/rendered-crds.js';
import { kubernetesAjv } from '../../generators/check/structural-schema.js';
import { inProcessExecutor, renderFleet, type Rendering, type UnitCache } from '../../generators/engine/engine.js';
import { renderGroup } from '../../generators/engine/unit-group.js';
import { planUnits, unitInputs } from '../../generators/engine/units.js';
import { loadFleet } from '../../generators/load/fleet.js';
import { pooledExecutor } from '../../generators/threads/workers.js';
import { MemoryCache } from '../helpers.js';

const SCHEMA = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      required: ['replicas'],
      properties: {
        replicas: { type: 'integer', minimum: 1, maximum: 10 },
        port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        note: { type: 'string', nullable: true },
        title: { type: 'string' },
        mode: { type: 'string', enum: ['fast', 'safe'] },
        since: { type: 'string', format: 'date-time' },
        host: { type: 'string', pattern: '^[a-z.]+$' },
        config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { level: { type: 'integer' } } },
        closed: { type: 'object' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
        rule: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.size() > 100', message: 'CEL is not evaluated' }] },
      },
    },
  },
};

type Json = Record<string, unknown>;

function crd(options: { schema?: Json; kind?: string; versions?: Json[]; name?: string } = {}): KubeObject {
  const kind = options.kind ?? 'Widget';
  const plural = `${kind.toLowerCase()}s`;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: options.name ?? `${plural}.example.com` },
    spec: {
      group: 'example.com',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      scope: 'Namespaced',
      versions: options.versions ?? [
        { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: options.schema ?? SCHEMA } },
        { name: 'v1beta1', served: false, storage: false, schema: { openAPIV3Schema: options.schema ?? SCHEMA } },
      ],
    },
  } as KubeObject;
}

function widget(spec: Json, extra: { apiVersion?: string; kind?: string; metadata?: Json } = {}): KubeObject {
  return { apiVersion: extra.apiVersion ?? 'example.com/v1', kind: extra.kind ?? 'Widget', metadata: extra.metadata ?? { name: 'w', namespace: 'team-000' }, spec } as unknown as KubeObject;
}

const fileOf = (o: KubeObject) => `${o.kind.toLowerCase()}-${o.metadata.name}.yaml`;

/** A lookup over other units' objects (`<env>/<dir>` -> objects) that counts the reads, as the engine's would. */
function lookupOver(units: Record<string, KubeObject[]>): { lookup: SiblingLookup; asked: string[] } {
  const asked: string[] = [];
  const all = Object.entries(units).flatMap(([unit, objects]) => objects.map((o) => [`${unit}/${fileOf(o)}`, o] as const));
  const lookup: SiblingLookup = Object.assign(
    (kind: string, namespace: string | undefined) => {
      asked.push(`${kind}|${namespace ?? ''}`);
      return all.map(([, o]) => o).filter((o) => o.kind === kind && (o.metadata.namespace ?? '') === (namespace ?? ''));
    },
    { pathOf: (o: KubeObject) => all.find(([, x]) => x === o)?.[0] },
  );
  return { lookup, asked };
}

/** The schema findings of one unit's objects, the environment's CRDs in `crds` (the unit dev/addons). */
function schemaFindings(objects: KubeObject[], crds: KubeObject[] = [crd()], declared?: DeclaredSchemas): UnitFinding[] {
  const { lookup } = lookupOver({ 'dev/addons': crds });
  const entries = objects.map((o): [string, RenderedObject] => [fileOf(o), { object: o, source: 'manifests/apps/a/app.yaml' }]);
  return checkUnitObjects(entries, {}, lookup, declared).filter((f) => f.policy === SCHEMA_POLICY);
}

const at = (findings: UnitFinding[]) => findings.map((f) => f.pointer);
const CRD_FILE = 'rendered/dev/addons/customresourcedefinition-widgets.example.com.yaml';

describe('custom resources against the CRDs rendered in the environment (checkUnitObjects)', () => {
  it('a valid custom resource passes, with the Kubernetes extensions understood', () => {
    const spec = {
      replicas: 2,
      port: 'http',
      note: null,
      mode: 'safe',
      since: '2025-01-02T03:04:05Z',
      host: 'a.example',
      config: { level: 3, anything: { at: ['all'] } },
      labels: { a: 'b' },
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } }, spec: { whatever: 1 } },
      items: [{ name: 'x' }],
      rule: 'short',
    };
    expect(schemaFindings([widget(spec)])).toEqual([]);
    expect(schemaFindings([widget({ replicas: 1, port: 8080 })])).toEqual([]);
  });

  it('refuses an unknown field with its pointer, a did-you-mean, and the CRD that refused it', () => {
    const [f, ...rest] = schemaFindings([widget({ replicas: 2, replica: 3 })]);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ pointer: '/spec/replica', hint: 'did you mean "replicas"?' });
    expect(f!.message).toBe(`unknown field "replica" (not in the example.com/v1 Widget schema of CRD widgets.example.com (${CRD_FILE}))`);
    // Also deep, in arrays, and in metadata (ObjectMeta), as for built-in kinds.
    expect(at(schemaFindings([widget({ replicas: 2, items: [{ nme: 'x' }] }, { metadata: { name: 'w', lables: {} } })]))).toEqual(['/metadata/lables', '/spec/items/0/nme']);
  });

  it('refuses a wrong type, naming the CRD', () => {
    const [f, ...rest] = schemaFindings([widget({ replicas: '3' })]);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ pointer: '/spec/replicas', message: `"replicas" must be of type integer (the example.com/v1 Widget schema of CRD widgets.example.com (${CRD_FILE}))` });
    expect(f!.hint).toContain("the CRD's schema");
  });

  it('enum, pattern, minimum, maximum, format and required are enforced', () => {
    const findings = schemaFindings([widget({ replicas: 0, mode: 'slow', host: 'UPPER', since: 'yesterday' }), widget({ replicas: 11 }, { metadata: { name: 'x' } }), widget({ note: 'x' }, { metadata: { name: 'y' } })]);
    expect(findings.map((f) => [f.name, f.pointer, f.message.slice(0, f.message.indexOf(' (the'))])).toEqual([
      ['w', '/spec/host', '"host" must match pattern "^[a-z.]+$"'],
      ['w', '/spec/mode', '"mode" must be one of "fast", "safe"'],
      ['w', '/spec/replicas', '"replicas" must be >= 1'],
      ['w', '/spec/since', '"since" is not a valid date-time'],
      ['x', '/spec/replicas', '"replicas" must be <= 10'],
      ['y', '/spec', 'missing required field "replicas"'],
    ]);
  });

  it('x-kubernetes-preserve-unknown-fields keeps anything; an object schema without properties keeps nothing (pruning)', () => {
    expect(schemaFindings([widget({ replicas: 1, config: { level: 1, free: { deep: [1] } } })])).toEqual([]);
    // Known fields inside a preserved object are still checked.
    expect(at(schemaFindings([widget({ replicas: 1, config: { level: 'high' } })]))).toEqual(['/spec/config/level']);
    const [f] = schemaFindings([widget({ replicas: 1, closed: { anything: 1 } })]);
    expect(f).toMatchObject({ pointer: '/spec/closed/anything', message: expect.stringContaining('unknown field "anything"') });
  });

  it('int-or-string takes a number or a string, nothing else', () => {
    expect(schemaFindings([widget({ replicas: 1, port: 80 }), widget({ replicas: 1, port: 'http' }, { metadata: { name: 'v' } })])).toEqual([]);
    expect(at(schemaFindings([widget({ replicas: 1, port: true })]))).toEqual(['/spec/port']);
  });

  it('null only where the schema is nullable', () => {
    expect(schemaFindings([widget({ replicas: 1, note: null })])).toEqual([]);
    expect(schemaFindings([widget({ replicas: 1, title: null })])).toEqual([expect.objectContaining({ pointer: '/spec/title', message: expect.stringContaining('must be of type string') })]);
  });

  it('an embedded resource needs apiVersion and kind, and its metadata is ObjectMeta', () => {
    const findings = schemaFindings([widget({ replicas: 1, template: { metadata: { name: 'p', nam: 'q' } } })]);
    expect(findings.map((f) => [f.pointer, f.message.replace(/ \((not in )?the example.com\/v1 Widget schema .*$/, '')])).toEqual([
      ['/spec/template', 'missing required field "apiVersion"'],
      ['/spec/template', 'missing required field "kind"'],
      ['/spec/template/metadata/nam', 'unknown field "nam"'],
    ]);
  });

  it('a version the CRD does not serve (served: false, or absent) is refused at /apiVersion', () => {
    for (const version of ['v1beta1', 'v2']) {
      const [f, ...rest] = schemaFindings([widget({ replicas: 1 }, { apiVersion: `example.com/${version}` })]);
      expect(rest).toEqual([]);
      expect(f).toMatchObject({
        pointer: '/apiVersion',
        message: `Widget version "${version}" is not served by CRD widgets.example.com (${CRD_FILE}), which serves v1`,
        hint: 'use example.com/v1',
      });
    }
  });

  it('a kind the group has no rendered CRD for: refused, with a did-you-mean among the group\'s CRDs', () => {
    const [f] = schemaFindings([widget({ replicas: 1 }, { kind: 'Widgit' })]);
    expect(f).toMatchObject({ pointer: '/kind', hint: 'did you mean "Widget"?' });
    expect(f!.message).toContain('no CRD of this environment defines example.com kind "Widgit"');
    expect(f!.message).toContain('widgets.example.com');
  });

  it('a rendered CRD wins over a schema declared in schemas/crds/; the declared schema still serves kinds without a rendered CRD', () => {
    // The declared Widget schema knows no "replicas" and wants "size"; the Gadget one is the only Gadget schema.
    const declaredSchema = { type: 'object', required: ['spec'], properties: { spec: { type: 'object', required: ['size'], properties: { size: { type: 'integer' } } } } };
    const declared = loadDeclaredSchemas(
      new Map([
        ['schemas/crds/example.com/widget_v1.json', JSON.stringify(declaredSchema)],
        ['schemas/crds/example.com/gadget_v1.json', JSON.stringify(declaredSchema)],
      ]),
    );
    const good = widget({ replicas: 2 });
    expect(schemaFindings([good], [crd()], declared)).toEqual([]);
    expect(at(schemaFindings([good], [], declared))).toEqual(['/spec', '/spec/replicas']); // without the CRD: the declared schema's verdict
    expect(schemaFindings([widget({ size: 1 }, { kind: 'Gadget' })], [crd()], declared)).toEqual([]);
    // A CRD that does not serve the version wins too: the cluster would refuse the object.
    expect(at(schemaFindings([widget({ size: 1 }, { apiVersion: 'example.com/v1beta1' })], [crd()], loadDeclaredSchemas(new Map([['schemas/crds/example.com/widget_v1beta1.json', JSON.stringify(declaredSchema)]]))))).toEqual(['/apiVersion']);
  });

  it('a CRD whose schema does not compile is a finding on the CRD, with its pointer; its custom resources wait for it', () => {
    const broken = crd({ schema: { type: 'object', properties: { spec: { type: 'objekt' } } } });
    const findings = schemaFindings([broken, widget({ replicas: 1 })], [broken]);
    expect(findings).toEqual([
      expect.objectContaining({ kind: 'CustomResourceDefinition', pointer: '/spec/versions/0/schema/openAPIV3Schema/properties/spec/type', message: expect.stringContaining('the schema of version "v1" does not compile') }),
      expect.objectContaining({ kind: 'CustomResourceDefinition', pointer: '/spec/versions/1/schema/openAPIV3Schema/properties/spec/type' }),
    ]);
    const badPattern = crd({ schema: { type: 'object', properties: { spec: { type: 'string', pattern: '(' } } } });
    expect(at(schemaFindings([badPattern], [badPattern]))).toEqual(['/spec/versions/0/schema/openAPIV3Schema', '/spec/versions/1/schema/openAPIV3Schema']);
    const noSchema = crd({ versions: [{ name: 'v1', served: true, storage: true }] });
    expect(schemaFindings([noSchema], [noSchema])).toEqual([expect.objectContaining({ pointer: '/spec/versions/0/schema/openAPIV3Schema', message: 'version "v1" has no schema.openAPIV3Schema object' })]);
    const misnamed = crd({ name: 'widget.example.com' });
    expect(schemaFindings([misnamed], [misnamed])).toEqual([expect.objectContaining({ pointer: '/metadata/name', message: expect.stringContaining('"widgets.example.com"') })]);
    expect(schemaFindings([crd()])).toEqual([]);
  });

  it('a custom resource with no CRD and no declared schema gets the finding it always got', () => {
    expect(schemaFindings([widget({ replicas: 1 })], [])).toEqual([
      expect.objectContaining({ pointer: '/apiVersion', message: 'no schema for example.com/v1 Widget: a kind without a schema is refused', hint: expect.stringContaining('schemas/crds/example.com/widget_v1.json') }),
    ]);
    // A CRD of another group does not help.
    const other = crd();
    (other as unknown as { spec: { group: string } }).spec.group = 'other.example.org';
    expect(at(schemaFindings([widget({ replicas: 1 })], [other]))).toEqual(['/apiVersion']);
  });

  it('only objects that need a CRD read the CRDs; built-in kinds never do', () => {
    const entries = (objects: KubeObject[]) => objects.map((o): [string, RenderedObject] => [fileOf(o), { object: o, source: 'x' }]);
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'team-000' }, data: { a: 'b' } } as KubeObject;
    const plain = lookupOver({ 'dev/addons': [crd()] });
    checkUnitObjects(entries([cm]), {}, plain.lookup);
    expect(plain.asked.filter((k) => k.startsWith('CustomResourceDefinition'))).toEqual([]);
    const custom = lookupOver({ 'dev/addons': [crd()] });
    checkUnitObjects(entries([cm, widget({ replicas: 1 }), widget({ replicas: 2 }, { metadata: { name: 'w2' } })]), {}, custom.lookup);
    expect(custom.asked.filter((k) => k.startsWith('CustomResourceDefinition'))).toEqual(['CustomResourceDefinition|']);
  });

  it('formats: those the API server checks, no stricter; unknown formats (int32...) are not checked', () => {
    const ajv = kubernetesAjv();
    const valid = (format: string, values: string[]) => values.filter((v) => ajv.validate({ type: 'string', format }, v));
    expect(valid('duration', ['1h30m', '3 days', '1.5s', '-2m', 'soon', '5'])).toEqual(['1h30m', '3 days', '1.5s', '-2m']);
    expect(valid('date-time', ['2025-01-02T03:04:05Z', '2025-01-02T03:04:05.5+01:00', '2025-01-02T03:04:05+0100', '2025-13-02T03:04:05Z', '2025-01-02'])).toEqual(['2025-01-02T03:04:05Z', '2025-01-02T03:04:05.5+01:00', '2025-01-02T03:04:05+0100']);
    expect(valid('date', ['2025-02-28', '2025-02-30x', '2025-1-2'])).toEqual(['2025-02-28']);
    expect(valid('hostname', ['a.example.com', 'bücher.example', '-x', 'a..b'])).toEqual(['a.example.com', 'bücher.example']);
    expect(valid('uri', ['https://x.example/p?q=1', 'relative/path', 'http://x/%zz', 'a b'])).toEqual(['https://x.example/p?q=1', 'relative/path']);
    expect(valid('cidr', ['10.0.0.0/8', 'fd00::/64', '10.0.0.0/33', '10.0.0.0'])).toEqual(['10.0.0.0/8', 'fd00::/64']);
    expect(valid('ipv4', ['10.1.2.3', '10.1.2'])).toEqual(['10.1.2.3']);
    expect(valid('byte', ['aGVsbG8=', 'not base64!'])).toEqual(['aGVsbG8=']);
    expect(valid('uuid', ['123e4567-e89b-12d3-a456-426614174000', 'nope'])).toEqual(['123e4567-e89b-12d3-a456-426614174000']);
    expect(valid('int32', ['anything'])).toEqual(['anything']);
  });

  it('compiles a schema once per thread, by content', () => {
    const a = compiledSchema(structuredClone(SCHEMA));
    const b = compiledSchema(structuredClone(SCHEMA));
    expect(a).not.toBeInstanceOf(Error);
    expect(b).toBe(a);
    expect(compiledSchema({ ...structuredClone(SCHEMA), description: 'other' })).not.toBe(a);
  });
});

// ---- Units rendering CRDs and custom resources (through whole-object overlay patches) ----

/** An overlay patch (YAML) that replaces the app's ConfigMap with `object`. */
const replaceConfigMap = (app: string, object: KubeObject) =>
  `patches:\n  - target: { kind: ConfigMap, name: ${app}-config }\n    operations:\n      - op: replace\n        path: ""\n        value: ${JSON.stringify(object)}\n`;

/** The synthetic fleet with dev overlays that render `objects[app]` in place of that app's ConfigMap. */
function fleetWith(apps: number, objects: Record<string, KubeObject>) {
  const sources = syntheticFleet({ apps, envs: 3 });
  for (const [app, object] of Object.entries(objects)) {
    const file = `manifests/apps/${app}/overlays/dev.yaml`;
    sources.set(file, sources.get(file)! + replaceConfigMap(app, object));
  }
  return loadFleet(sources);
}

const schemaViolations = (r: Rendering) => r.check.violations.filter((v) => v.policy === SCHEMA_POLICY).map((v) => `${v.file} ${v.pointer}: ${v.message}`);

describe('a unit group (renderGroup): the CRD read is recorded, by the units with custom resources only', () => {
  it('checks a custom resource against a CRD another unit of the group renders', () => {
    const fleet = fleetWith(3, { 'svc-0000': crd(), 'svc-0001': widget({ replicas: 2 }), 'svc-0002': widget({ replicas: 1, replica: 2 }, { metadata: { name: 'bad', namespace: 'team-000' } }) });
    const { plans } = planUnits(fleet, { environments: ['dev'] });
    const inputs = unitInputs(fleet, plans, true).filter((i) => i.app);
    const results = new Map(renderGroup(inputs, undefined, false).map((r) => [r.unit, r]));
    const crdReads = (unit: string) => results.get(unit)!.reads.filter(([kind]) => kind === 'CustomResourceDefinition');
    expect(crdReads('dev/svc-0000')).toEqual([]);
    expect(crdReads('dev/svc-0001')).toEqual([['CustomResourceDefinition', '', expect.any(String)]]);
    expect(crdReads('dev/svc-0002')).toEqual(crdReads('dev/svc-0001'));
    const schema = (unit: string) => results.get(unit)!.findings.filter((f) => f.policy === SCHEMA_POLICY);
    expect(schema('dev/svc-0000')).toEqual([]);
    expect(schema('dev/svc-0001')).toEqual([]);
    expect(schema('dev/svc-0002')).toEqual([
      expect.objectContaining({
        file: 'widget-bad.yaml',
        pointer: '/spec/replica',
        message: 'unknown field "replica" (not in the example.com/v1 Widget schema of CRD widgets.example.com (rendered/dev/svc-0000/customresourcedefinition-widgets.example.com.yaml))',
      }),
    ]);
  });
});


/** SCHEMA with spec.port an integer only. */
function narrowPort(): Json {
  const schema = structuredClone(SCHEMA) as unknown as { properties: { spec: { properties: Json } } };
  schema.properties.spec.properties.port = { type: 'integer' };
  return schema as unknown as Json;
}

describe('the engine: a CRD changed in one unit changes the findings of a custom resource in another', () => {
  // svc-0010 is in namespace team-001, svc-0000 in team-000: other groups, so the cold render
  // also goes through the engine's fix-up of reads a group could not answer.
  const cr = widget({ replicas: 2, port: 'http' });
  // One environment: the hub (which refuses a cluster-scoped kind its AppProject does not allow) is not rendered.
  const dev = { environments: ['dev'] };
  const render = (fleet: ReturnType<typeof fleetWith>, cache?: UnitCache) => renderFleet(fleet, dev, { ...(cache && { cache }), codeKey: 'test', executor: inProcessExecutor(undefined) });

  it('on an incremental render, with the cache, as without it', async () => {
    const cache = new MemoryCache();
    const first = await render(fleetWith(11, { 'svc-0010': crd(), 'svc-0000': cr }), cache);
    expect(schemaViolations(first)).toEqual([]);
    expect(first.stats.rechecked).toBe(1);

    // The CRD's port becomes an integer: svc-0000's unit is unchanged, its finding is new.
    const narrowed = narrowPort();
    const changed = fleetWith(11, { 'svc-0010': crd({ schema: narrowed }), 'svc-0000': cr });
    const second = await render(changed, cache);
    expect(second.stats).toMatchObject({ rendered: 1, rechecked: 1 });
    const expected = [`rendered/dev/svc-0000/widget-w.yaml /spec/port: "port" must be of type integer (the example.com/v1 Widget schema of CRD widgets.example.com (rendered/dev/svc-0010/customresourcedefinition-widgets.example.com.yaml))`];
    expect(schemaViolations(second)).toEqual(expected);
    expect(schemaViolations(await render(changed))).toEqual(expected);

    // The CRD goes: the custom resource has no schema again.
    const gone = await render(fleetWith(11, { 'svc-0000': cr }), cache);
    expect(gone.stats).toMatchObject({ rendered: 1, rechecked: 1 });
    expect(schemaViolations(gone)).toEqual([expect.stringContaining('rendered/dev/svc-0000/widget-w.yaml /apiVersion: no schema for example.com/v1 Widget')]);
    // Units without custom resources never read CRDs.
    expect([...cache.units.values()].filter(([, r]) => r.reads.some(([kind]) => kind === 'CustomResourceDefinition')).length).toBe(1);
  });

  it('across worker threads as in this thread', async () => {
    const narrowed = narrowPort();
    const fleet = fleetWith(11, { 'svc-0010': crd({ schema: narrowed }), 'svc-0000': cr });
    const executor = pooledExecutor(undefined, { threads: 2, minUnits: 1 });
    const threads = await renderFleet(fleet, dev, { codeKey: 'test', executor });
    expect(executor.workersUsed).toBe(1);
    const here = await render(fleet);
    expect(threads.check).toEqual(here.check);
    expect(schemaViolations(threads)).toHaveLength(1);
  });
});
