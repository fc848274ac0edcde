import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CRD_DIRS, crdFor, renderCrds } from './crd.js';
import { ALL_KINDS } from './kinds.js';

describe.each(CRD_DIRS)('%s/', (rel) => {
  const crdDir = join(import.meta.dirname, '..', '..', rel);
  it('is exactly what `make crds` generates from src/api (run make crds after changing the types)', () => {
    const expected = renderCrds();
    const onDisk = readdirSync(crdDir).filter((f) => f.endsWith('.yaml')).sort();
    expect(onDisk).toEqual([...expected.keys()].sort());
    for (const [file, text] of expected) {
      expect({ file, text: readFileSync(join(crdDir, file), 'utf8') }).toEqual({ file, text });
    }
  });
});

describe('every kind', () => {
  it.each(ALL_KINDS.map((k) => [k.kind, k] as const))('%s is namespaced, in the dynokube category, with a status subresource and printer columns', (_, def) => {
    const crd = crdFor(def);
    const version = crd.spec.versions[0]!;
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.names.categories).toEqual(['dynokube']);
    expect(crd.spec.names.shortNames?.length).toBeGreaterThan(0);
    expect(version.subresources?.status).toEqual({});
    expect(version.additionalPrinterColumns?.map((c) => c.name)).toContain('Age');
  });

  it('has a description on every spec field, so kubectl explain documents it', () => {
    const undocumented: string[] = [];
    for (const def of ALL_KINDS) {
      const props = (def.spec as unknown as { properties: Record<string, { description?: string }> }).properties;
      for (const [name, schema] of Object.entries(props)) if (!schema.description) undocumented.push(`${def.kind}.spec.${name}`);
    }
    expect(undocumented).toEqual([]);
  });

  it('carries no TypeBox bookkeeping into the CRD (only JSON Schema the API server accepts)', () => {
    for (const text of renderCrds().values()) {
      const crd = parse(text) as { spec: { versions: { schema: unknown }[] } };
      const json = JSON.stringify(crd.spec.versions[0]!.schema);
      expect(json).not.toMatch(/"\$id"|"patternProperties"|"anyOf"|"additionalProperties":false/);
    }
  });
});
