// Where an endpoint's API key is kept (the editor's SecretStorage, never settings): per endpoint slot
// *and* server origin, so a key is only ever sent to the server it was entered for.

/**
 * The storage key of the API key of `slot` (planner, generator, vanilla) at `baseUrl`. Keys are scoped
 * to the URL's origin (scheme, host, port): changing the URL to another server — or a workspace setting
 * doing so — does not carry the key along, while another path on the same server (`/v1`, `/v1/`) shares
 * it. A URL that does not parse, or names no http(s) server, is used as written: it shares a key with no other.
 */
export function apiKeySecretKey(slot: string, baseUrl: string): string {
  let origin: string;
  try {
    // "null" is the origin of every URL with a scheme other than http(s): those must not share one key
    const parsed = new URL(baseUrl).origin;
    origin = parsed === 'null' ? baseUrl : parsed;
  } catch {
    origin = baseUrl;
  }
  return `escStudio.playground.apiKey.${slot}@${origin}`;
}
