// A yes/no check compiled from a zod schema's own definition, that builds nothing: the full pass asks
// it first for every record, and only a record it rejects goes to the zod runtime for its problems
// (schemas.ts checkRecord). zod's own compiled parser (z.compile) builds a copy of every record to
// hand its refinements, which on a 200 MB file is 80 MB more peak memory than the plain parse.
//
// It must never accept what zod rejects. Each node kind below does what zod's parser does with a
// value it accepts, and the refinements are zod's own functions, run on the record itself (these
// schemas transform nothing, so zod's copy is equal to it). A node or check it does not know is left
// to zod's validator, so an unfamiliar schema is slower here, never wrong. fullPass.test compares it
// with the zod runtime on every kind and layout and on records broken in every way it can find.
// The checks run once per record: their loops are indexed, as iterators would be garbage per call.

import * as z from 'zod';

type Node = z.core.$ZodType;
export type FastCheck = (value: unknown) => boolean;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The node's check: its own where it knows the node and every check on it, zod's validator otherwise. */
export function fastCheck(node: Node): FastCheck {
  const own = checksOf(node);
  const shape = own && shapeOf(node);
  if (!own || !shape) {
    const compiled = z.compile(node);
    return (value) => z.validate(compiled, value);
  }
  if (own.length === 0) return shape;
  return (value) => {
    if (!shape(value)) return false;
    for (let i = 0; i < own.length; i++) if (!own[i]!(value)) return false;
    return true;
  };
}

/** The value's type and contents, as zod's parser checks them before the node's own checks. */
function shapeOf(node: Node): FastCheck | undefined {
  const def = node._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  switch (def.type) {
    case 'string':
      return def.coerce ? undefined : (v) => typeof v === 'string';
    case 'number':
      return def.coerce ? undefined : (v) => typeof v === 'number' && Number.isFinite(v);
    case 'null':
      return (v) => v === null;
    case 'unknown':
      return () => true;
    case 'enum': {
      const values = node._zod.values;
      return values && ((v) => values.has(v as never));
    }
    case 'optional': {
      const inner = fastCheck(def.innerType as Node);
      return (v) => v === undefined || inner(v);
    }
    case 'array': {
      const element = fastCheck(def.element as Node);
      return (v) => {
        if (!Array.isArray(v)) return false;
        for (let i = 0; i < v.length; i++) if (!element(v[i])) return false;
        return true;
      };
    }
    case 'union': {
      // z.xor (exactly one option) and discriminated unions pick their option by other rules
      if (def.inclusive === false || def.discriminator !== undefined) return undefined;
      const options = (def.options as Node[]).map(fastCheck);
      return (v) => {
        for (let i = 0; i < options.length; i++) if (options[i]!(v)) return true;
        return false;
      };
    }
    case 'object': {
      // extra keys are let through (loose or stripping objects); a strict object, or a catchall schema, is zod's to check
      const catchall = def.catchall as Node | undefined;
      if (catchall && catchall._zod.def.type !== 'unknown') return undefined;
      const shape = def.shape as Record<string, Node>;
      const keys = Object.keys(shape);
      // a key whose schema takes anything may be absent or not by zod's own rules: zod's to check
      if (keys.some((k) => shape[k]!._zod.def.type === 'unknown')) return undefined;
      const fields = keys.map((k) => fastCheck(shape[k]!));
      return (v) => {
        if (!isObject(v)) return false;
        for (let i = 0; i < keys.length; i++) if (!fields[i]!(v[keys[i]!])) return false;
        return true;
      };
    }
    default:
      return undefined;
  }
}

/** The node's checks (min length, refine, superRefine), or undefined if one of them is of another kind. */
function checksOf(node: Node): FastCheck[] | undefined {
  const out: FastCheck[] = [];
  for (const check of node._zod.def.checks ?? []) {
    const def = check._zod.def as z.core.$ZodCheckDef & { minimum?: number };
    if (def.check === 'min_length' && typeof def.minimum === 'number') {
      // zod runs it only on a value with a length, which a value that passed shapeOf is
      const minimum = def.minimum;
      out.push((v) => (v as { length: number }).length >= minimum);
    } else if (def.check === 'custom' && !def.when) {
      // .refine() and .superRefine() alike: zod's own check function, given a payload to add its issues to
      out.push((v) => {
        const payload: z.core.ParsePayload = { value: v, issues: [] };
        const pending = check._zod.check(payload as never);
        return !(pending instanceof Promise) && payload.issues.length === 0;
      });
    } else return undefined;
  }
  return out;
}
