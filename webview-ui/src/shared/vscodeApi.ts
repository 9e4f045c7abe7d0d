// The webview side of the VS Code bridge, typed by the protocol module.

import { dispatch, type Handlers } from './model/dispatch';

interface VsCodeApi<State, Out> {
  postMessage(message: Out): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi<State, Out>(): VsCodeApi<State, Out>;

let api: unknown;

/** acquireVsCodeApi may be called once per page; every module shares this instance. */
export function vscodeApi<State, Out>(): VsCodeApi<State, Out> {
  api ??= acquireVsCodeApi<State, Out>();
  return api as VsCodeApi<State, Out>;
}

/** Routes each message from the extension to its handler (see model/dispatch.ts). */
export function onMessages<M extends { type: string }>(handlers: Handlers<M>): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => dispatch(handlers, event.data));
}

/** Creates an element with text content only: data is never parsed as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string; title?: string } = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.title) node.title = props.title;
  node.append(...children);
  return node;
}
