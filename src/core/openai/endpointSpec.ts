// The CLI's way to name an endpoint in one argument: `http://host:8000/v1` or
// `http://host:8000/v1#served-model-name`. The model goes in the fragment because served model
// names often contain "/" (e.g. `Qwen/Qwen2.5-7B-Instruct`) and a fragment is never sent to a server.

import { trimBaseUrl, type EndpointConfig } from './config';

const EXAMPLE = 'http://localhost:8000/v1 or http://localhost:8000/v1#model-name';

export function parseEndpointSpec(spec: string): Pick<EndpointConfig, 'baseUrl'> & Partial<Pick<EndpointConfig, 'model'>> {
  const text = spec.trim();
  const hash = text.indexOf('#');
  const urlPart = hash < 0 ? text : text.slice(0, hash);
  const bad = (why: string): Error => new Error(`Invalid endpoint "${spec}": ${why}. Expected ${EXAMPLE}.`);

  let url: URL;
  try {
    url = new URL(urlPart);
  } catch {
    throw bad('not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw bad(`the scheme must be http or https, not ${url.protocol.replace(/:$/, '')}`);
  }
  if (!url.hostname) throw bad('no host');
  // fetch refuses URLs with credentials, so catch them here with a better message
  if (url.username || url.password) throw bad('credentials in the URL are not supported (pass the API key separately)');
  if (url.search) throw bad('a query string is not supported');
  const path = url.pathname.replace(/\/+$/, '');
  // every OpenAI-compatible server puts its routes under /v1; without it requests would 404
  if (!/(^|\/)v1$/.test(path)) throw bad('the path must end in /v1');

  const baseUrl = trimBaseUrl(`${url.protocol}//${url.host}${path}`);
  if (hash < 0) return { baseUrl };
  let model: string;
  try {
    model = decodeURIComponent(text.slice(hash + 1)).trim();
  } catch {
    throw bad('the model name after "#" is not valid percent-encoding');
  }
  if (!model) throw bad('the model name after "#" is empty');
  return { baseUrl, model };
}
