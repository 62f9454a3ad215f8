/**
 * The OAuth 2.0 error codes the registries know: protocol vocabulary, which errors and telemetry may show as they
 * are. Any other `error` is text from the server.
 */

/**
 * The error codes registered for OAuth 2.0 (RFC 6749 §4.1.2.1, §5.2; RFC 6750; RFC 7009; RFC 7591; RFC 8628;
 * RFC 8693; RFC 8707; RFC 9396; RFC 9449; RFC 9470; OpenID Connect Core): protocol vocabulary, kept as they are.
 */
const registered: ReadonlySet<string> = new Set([
  "invalid_request",
  "invalid_client",
  "invalid_grant",
  "unauthorized_client",
  "unsupported_grant_type",
  "invalid_scope",
  "access_denied",
  "unsupported_response_type",
  "server_error",
  "temporarily_unavailable",
  "invalid_token",
  "insufficient_scope",
  "unsupported_token_type",
  "invalid_redirect_uri",
  "invalid_client_metadata",
  "invalid_software_statement",
  "unapproved_software_statement",
  "authorization_pending",
  "slow_down",
  "expired_token",
  "invalid_target",
  "invalid_authorization_details",
  "invalid_dpop_proof",
  "use_dpop_nonce",
  "insufficient_user_authentication",
  "interaction_required",
  "login_required",
  "account_selection_required",
  "consent_required",
  "invalid_request_uri",
  "invalid_request_object",
  "request_not_supported",
  "request_uri_not_supported",
  "registration_not_supported"
])

/** Whether `code` is a registered OAuth 2.0 error code. */
export const isRegisteredErrorCode = (code: string): boolean => registered.has(code)
