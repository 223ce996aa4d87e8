// Pure: clear 404 messages for requests that stock clients make to APIs this server does not offer,
// instead of the bare "the server could not find the requested resource".

const TOKEN_REQUEST = /^\/api\/v1\/namespaces\/[^/]+\/serviceaccounts\/[^/]+\/token\/?$/

/** A specific message for a known-but-unserved path, or undefined for the generic 404. */
export function unservedMessage(rawUrl: string): string | undefined {
  const path = rawUrl.split('?')[0] ?? ''
  if (TOKEN_REQUEST.test(path)) {
    return 'serviceaccounts/token (TokenRequest) is not served: this API server issues no service account tokens; use a static token from the topology\'s apiservers.tokenFile'
  }
  return undefined
}
