// A typed message dispatch for the webviews: one handler per message type, looked up in a map,
// instead of a switch. The map's type names every message of the protocol, so a new message type
// that no page handles is a compile error, and each handler sees its own message's fields.
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

export type Handlers<M extends { type: string }> = { [K in M['type']]: (message: Extract<M, { type: K }>) => void };

/**
 * Calls the handler of `message.type`. Anything else (not an object, no string type, a type the map
 * does not own — e.g. "constructor" — or a message of another protocol version) is ignored.
 * Returns whether a handler ran.
 */
export function dispatch<M extends { type: string }>(handlers: Handlers<M>, message: unknown): boolean {
  if (typeof message !== 'object' || message === null) return false;
  const type = (message as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(handlers, type)) return false;
  (handlers[type as M['type']] as (m: unknown) => void)(message);
  return true;
}
