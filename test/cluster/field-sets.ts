import type { ResourceType } from './registry.ts';
import type { KubeObject } from './store.ts';

/**
 * The fields a field selector may name, per resource, as the API server
 * publishes them (each registry's `ToSelectableFields`): `metadata.name` for
 * everything, `metadata.namespace` for namespaced types, and a few of a type's
 * own. A field the type does not publish is refused, as Kubernetes does.
 */
type FieldSet = (object: KubeObject) => Record<string, string>;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

interface EventFields {
  involvedObject?: Record<string, unknown>;
  reason?: unknown;
  type?: unknown;
  source?: { component?: unknown };
  reportingComponent?: unknown;
}

// pkg/registry/core/event/strategy.go: every field is present, empty when unset,
// and `source` falls back to the reporting controller as kubectl's describe does.
const eventFields: FieldSet = (object) => {
  const event = object as KubeObject & EventFields;
  const involved = event.involvedObject ?? {};
  return {
    'involvedObject.kind': text(involved['kind']),
    'involvedObject.namespace': text(involved['namespace']),
    'involvedObject.name': text(involved['name']),
    'involvedObject.uid': text(involved['uid']),
    'involvedObject.apiVersion': text(involved['apiVersion']),
    'involvedObject.resourceVersion': text(involved['resourceVersion']),
    'involvedObject.fieldPath': text(involved['fieldPath']),
    reason: text(event.reason),
    reportingComponent: text(event.reportingComponent),
    source: text(event.source?.component) || text(event.reportingComponent),
    type: text(event.type),
  };
};

const ownFields: Record<string, { names: readonly string[]; of: FieldSet }> = {
  'core/events': {
    names: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion',
      'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
    of: eventFields,
  },
  'core/secrets': { names: ['type'], of: (object) => ({ type: text(object['type']) }) },
};

const keyOf = (type: ResourceType): string => `${type.group || 'core'}/${type.resource}`;

/** The field names a selector on `type` may use. */
export function supportedFields(type: ResourceType): readonly string[] {
  return [...(type.namespaced ? ['metadata.name', 'metadata.namespace'] : ['metadata.name']), ...(ownFields[keyOf(type)]?.names ?? [])];
}

/** The values of `object`'s selectable fields. */
export function selectableFields(type: ResourceType, object: KubeObject): Record<string, string> {
  const meta: Record<string, string> = { 'metadata.name': object.metadata.name };
  if (type.namespaced) meta['metadata.namespace'] = object.metadata.namespace ?? '';
  const own = ownFields[keyOf(type)];
  return own ? { ...own.of(object), ...meta } : meta;
}
