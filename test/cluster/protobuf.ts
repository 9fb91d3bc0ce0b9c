/**
 * kubectl writes built-in kinds (Secrets from `create secret`, access reviews
 * from `auth can-i`…) as Kubernetes protobuf, not JSON. This decodes the few
 * request bodies it sends into the JSON shape the handlers expect; the
 * stand-in always answers in JSON, which kubectl accepts.
 */

type FieldType = 'string' | 'bytes' | 'int64' | 'bool' | 'stringMap' | 'bytesMap' | Schema;
interface Field {
  name: string;
  type: FieldType;
  repeated?: boolean;
}
type Schema = Record<number, Field>;

const time: Schema = { 1: { name: 'seconds', type: 'int64' } };
const objectMeta: Schema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'generateName', type: 'string' },
  3: { name: 'namespace', type: 'string' },
  5: { name: 'uid', type: 'string' },
  6: { name: 'resourceVersion', type: 'string' },
  7: { name: 'generation', type: 'int64' },
  8: { name: 'creationTimestamp', type: time },
  11: { name: 'labels', type: 'stringMap' },
  12: { name: 'annotations', type: 'stringMap' },
  14: { name: 'finalizers', type: 'string', repeated: true },
};
const resourceAttributes: Schema = {
  1: { name: 'namespace', type: 'string' }, 2: { name: 'verb', type: 'string' }, 3: { name: 'group', type: 'string' },
  4: { name: 'version', type: 'string' }, 5: { name: 'resource', type: 'string' }, 6: { name: 'subresource', type: 'string' },
  7: { name: 'name', type: 'string' },
};
const nonResourceAttributes: Schema = { 1: { name: 'path', type: 'string' }, 2: { name: 'verb', type: 'string' } };
const metadataField: Field = { name: 'metadata', type: objectMeta };

/** Message schemas by kind, field numbers from k8s.io/api's generated.proto. */
const KINDS: Record<string, Schema> = {
  Secret: {
    1: metadataField, 2: { name: 'data', type: 'bytesMap' }, 3: { name: 'type', type: 'string' },
    4: { name: 'stringData', type: 'stringMap' }, 5: { name: 'immutable', type: 'bool' },
  },
  ConfigMap: { 1: metadataField, 2: { name: 'data', type: 'stringMap' }, 3: { name: 'binaryData', type: 'bytesMap' }, 4: { name: 'immutable', type: 'bool' } },
  Namespace: { 1: metadataField, 2: { name: 'spec', type: { 1: { name: 'finalizers', type: 'string', repeated: true } } } },
  ServiceAccount: { 1: metadataField },
  SelfSubjectAccessReview: {
    1: metadataField,
    2: { name: 'spec', type: { 1: { name: 'resourceAttributes', type: resourceAttributes }, 2: { name: 'nonResourceAttributes', type: nonResourceAttributes } } },
  },
  SubjectAccessReview: {
    1: metadataField,
    2: {
      name: 'spec',
      type: {
        1: { name: 'resourceAttributes', type: resourceAttributes }, 2: { name: 'nonResourceAttributes', type: nonResourceAttributes },
        3: { name: 'user', type: 'string' }, 4: { name: 'groups', type: 'string', repeated: true },
      },
    },
  },
  SelfSubjectRulesReview: { 1: metadataField, 2: { name: 'spec', type: { 1: { name: 'namespace', type: 'string' } } } },
  SelfSubjectReview: { 1: metadataField },
  TokenReview: { 1: metadataField, 2: { name: 'spec', type: { 1: { name: 'token', type: 'string' }, 2: { name: 'audiences', type: 'string', repeated: true } } } },
};

const MAGIC = Buffer.from('k8s\0', 'latin1');

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const byte = this.buf[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  }

  bytes(): Buffer {
    const length = Number(this.varint());
    if (this.pos + length > this.buf.length) throw new Error('truncated length-delimited field');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }
}

function decodeMapEntry(buf: Buffer, valueAsBase64: boolean): [string, string] {
  const r = new Reader(buf);
  let key = '';
  let value = '';
  while (!r.done()) {
    const tag = Number(r.varint());
    if (tag >>> 3 === 1) key = r.bytes().toString('utf8');
    else if (tag >>> 3 === 2) value = valueAsBase64 ? r.bytes().toString('base64') : r.bytes().toString('utf8');
    else r.skip(tag & 7);
  }
  return [key, value];
}

function decodeMessage(buf: Buffer, schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const r = new Reader(buf);
  while (!r.done()) {
    const tag = Number(r.varint());
    const field = schema[tag >>> 3];
    if (!field) {
      r.skip(tag & 7);
      continue;
    }
    let value: unknown;
    switch (field.type) {
      case 'string': value = r.bytes().toString('utf8'); break;
      case 'bytes': value = r.bytes().toString('base64'); break;
      case 'int64': value = Number(r.varint()); break;
      case 'bool': value = r.varint() !== 0n; break;
      case 'stringMap':
      case 'bytesMap': {
        const [k, v] = decodeMapEntry(r.bytes(), field.type === 'bytesMap');
        out[field.name] = { ...(out[field.name] as object | undefined), [k]: v };
        continue;
      }
      default: value = decodeMessage(r.bytes(), field.type);
    }
    if (field.repeated) out[field.name] = [...((out[field.name] as unknown[] | undefined) ?? []), value];
    else out[field.name] = value;
  }
  return out;
}

/** A `k8s\0`-prefixed protobuf body as the equivalent JSON object. */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (!body.subarray(0, 4).equals(MAGIC)) throw new Error('not a Kubernetes protobuf envelope');
  const unknown = decodeMessage(body.subarray(4), {
    1: { name: 'typeMeta', type: { 1: { name: 'apiVersion', type: 'string' }, 2: { name: 'kind', type: 'string' } } },
    2: { name: 'raw', type: 'bytes' },
  });
  const typeMeta = (unknown['typeMeta'] ?? {}) as { apiVersion?: string; kind?: string };
  const schema = typeMeta.kind ? KINDS[typeMeta.kind] : undefined;
  if (!schema) throw new Error(`protobuf bodies of kind ${typeMeta.kind ?? '(none)'} are not supported; send JSON`);
  const object = decodeMessage(Buffer.from((unknown['raw'] as string | undefined) ?? '', 'base64'), schema);
  const meta = object['metadata'] as Record<string, unknown> | undefined;
  if (meta?.['creationTimestamp'] !== undefined) delete meta['creationTimestamp'];
  return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...object };
}
