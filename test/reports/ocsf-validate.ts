// Checks an OCSF event against the attributes, requirements, types and enums extracted into
// test/fixtures/ocsf/ocsf-spec.json: every required attribute present, no attribute the class does not define,
// integers are safe integers (a SIEM parsing with doubles would otherwise round them), enums hold defined values.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface AttrSpec { requirement: string; type?: string; object?: string; enum?: Record<string, string>; is_array?: boolean; profile?: string; rule?: string; sibling_of?: string }
interface ObjSpec { attributes: Record<string, AttrSpec>; constraints?: { at_least_one?: string[] } }
interface ClassSpec extends ObjSpec { version: string; class_uid: number; class_name: string; category_uid: number; category_name: string; profiles: string[] }
interface Spec { types: Record<string, string>; classes: Record<string, ClassSpec>; objects: Record<string, ObjSpec> }

export const OCSF_SPEC: Spec = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/ocsf/ocsf-spec.json', import.meta.url)), 'utf8')) as Spec;

function checkValue(path: string, v: unknown, a: AttrSpec, spec: Spec, profiles: string[], errors: string[]): void {
  if (a.is_array) {
    if (!Array.isArray(v)) { errors.push(`${path}: expected an array`); return; }
    v.forEach((item, i) => checkValue(`${path}[${i}]`, item, { ...a, is_array: false }, spec, profiles, errors));
    return;
  }
  if (a.object) { checkObject(path, v, spec.objects[a.object]!, spec, profiles, errors); return; }
  const kind = spec.types[a.type ?? 'json_t'];
  switch (kind) {
    case 'string': if (typeof v !== 'string') errors.push(`${path}: expected a string`); break;
    case 'integer': if (!Number.isSafeInteger(v)) errors.push(`${path}: expected a safe integer, got ${JSON.stringify(v)}`); break;
    case 'timestamp': if (!Number.isSafeInteger(v) || (v as number) < 0) errors.push(`${path}: expected epoch milliseconds`); break;
    case 'boolean': if (typeof v !== 'boolean') errors.push(`${path}: expected a boolean`); break;
    case 'object': if (typeof v !== 'object' || v === null || Array.isArray(v)) errors.push(`${path}: expected an object`); break;
    default: break;
  }
  if (a.enum && !(String(v) in a.enum)) errors.push(`${path}: ${JSON.stringify(v)} is not one of ${Object.keys(a.enum).join(', ')}`);
}

function checkObject(path: string, v: unknown, o: ObjSpec, spec: Spec, profiles: string[], errors: string[]): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) { errors.push(`${path}: expected an object`); return; }
  const rec = v as Record<string, unknown>;
  for (const [name, a] of Object.entries(o.attributes)) {
    const applies = !a.profile || profiles.includes(a.profile);
    if (rec[name] === undefined || rec[name] === null) {
      if (a.requirement === 'required' && applies) errors.push(`${path}.${name}: required`);
      continue;
    }
    checkValue(`${path}.${name}`, rec[name], a, spec, profiles, errors);
  }
  for (const k of Object.keys(rec)) if (!(k in o.attributes)) errors.push(`${path}.${k}: not an attribute of this ${path === '$' ? 'class' : 'object'}`);
  const one = o.constraints?.at_least_one;
  if (one && !one.some((k) => rec[k] !== undefined && rec[k] !== null)) errors.push(`${path}: needs at least one of ${one.join(', ')}`);
}

/** Errors of one event (empty when valid). The class is chosen by class_uid and metadata.version. */
export function validateOcsfEvent(event: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const version = (event.metadata as Record<string, unknown> | undefined)?.version;
  const cls = Object.values(OCSF_SPEC.classes).find((c) => c.class_uid === event.class_uid && c.version === version);
  if (!cls) return [`no class ${String(event.class_uid)} at OCSF ${String(version)} in the fixture`];
  const profiles = ((event.metadata as Record<string, unknown>).profiles as string[] | undefined) ?? [];
  checkObject('$', event, cls, OCSF_SPEC, profiles, errors);
  if (event.category_uid !== cls.category_uid) errors.push(`$.category_uid: must be ${cls.category_uid}`);
  if (event.type_uid !== cls.class_uid * 100 + Number(event.activity_id)) errors.push('$.type_uid: must be class_uid * 100 + activity_id');
  for (const [name, a] of Object.entries(cls.attributes)) {
    // A sibling caption must be the enum's caption for the id (Other/99 may carry the source's own label).
    if (a.sibling_of && event[name] !== undefined && name !== 'category_name' && name !== 'class_name') {
      const id = event[a.sibling_of];
      const caption = cls.attributes[a.sibling_of]?.enum?.[String(id)];
      if (caption && id !== 99 && event[name] !== caption) errors.push(`$.${name}: "${String(event[name])}" is not the caption of ${a.sibling_of}=${String(id)} ("${caption}")`);
    }
  }
  if (event.class_name !== cls.class_name) errors.push(`$.class_name: must be ${cls.class_name}`);
  if (event.category_name !== cls.category_name) errors.push(`$.category_name: must be ${cls.category_name}`);
  return errors;
}
