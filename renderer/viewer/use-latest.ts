import { useRef, type RefObject } from 'react';

/**
 * A ref that always holds the latest value: callbacks and effects read it
 * without listing it as a dependency, so a new value (or a new function from a
 * parent on every render) never restarts them.
 */
export function useLatest<T>(value: T): RefObject<T> {
  const ref = useRef(value);
  ref.current = value;
  return ref;
}
