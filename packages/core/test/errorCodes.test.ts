/**
 * The registered OAuth 2.0 error codes, alone: the protocol vocabulary an error keeps as it is, before any redaction,
 * so that a short secret cannot change what an error means (`docs/behaviour.md#secrets`).
 */
import { assert, describe, it } from "vitest"
import * as ErrorCodes from "../src/errorCodes.js"

describe("error codes: registered", () => {
  it("knows RFC 6749's (§4.1.2.1, §5.2)", () => {
    const codes = [
      "invalid_request",
      "invalid_client",
      "invalid_grant",
      "unauthorized_client",
      "unsupported_grant_type",
      "invalid_scope",
      "access_denied",
      "unsupported_response_type",
      "server_error",
      "temporarily_unavailable"
    ]
    for (const code of codes) assert.isTrue(ErrorCodes.isRegisteredErrorCode(code), code)
  })

  it("knows those of the later RFCs and OpenID Connect Core", () => {
    const codes = [
      // RFC 6750
      "invalid_token",
      "insufficient_scope",
      // RFC 7009
      "unsupported_token_type",
      // RFC 7591
      "invalid_redirect_uri",
      "invalid_client_metadata",
      "invalid_software_statement",
      "unapproved_software_statement",
      // RFC 8628
      "authorization_pending",
      "slow_down",
      "expired_token",
      // RFC 8693, RFC 8707
      "invalid_target",
      // RFC 9396
      "invalid_authorization_details",
      // RFC 9449
      "invalid_dpop_proof",
      "use_dpop_nonce",
      // RFC 9470
      "insufficient_user_authentication",
      // OpenID Connect Core §3.1.2.6
      "interaction_required",
      "login_required",
      "account_selection_required",
      "consent_required",
      "invalid_request_uri",
      "invalid_request_object",
      "request_not_supported",
      "request_uri_not_supported",
      "registration_not_supported"
    ]
    for (const code of codes) assert.isTrue(ErrorCodes.isRegisteredErrorCode(code), code)
  })

  it("matches exactly: another case, padding or a longer code is text from the server", () => {
    for (const code of ["INVALID_CLIENT", "Invalid_client", " invalid_client", "invalid_client ", "invalid_client2"]) {
      assert.isFalse(ErrorCodes.isRegisteredErrorCode(code), code)
    }
  })

  it("knows no other code, nor a name every object has", () => {
    for (const code of ["", "invalid", "custom_error", "toString", "constructor", "__proto__"]) {
      assert.isFalse(ErrorCodes.isRegisteredErrorCode(code), code)
    }
  })
})
