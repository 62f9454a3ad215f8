/**
 * The classic snippet, re-created as the baseline: one module-level token, renewed 60 s before it expires by the
 * caller that notices — and by every other caller that notices before the answer is back (no single flight).
 * Only `configure` is added, so that the benchmark can point it at its server and scale the skew.
 */
import axios from "axios"

interface TokenResponse {
  readonly access_token: string
  readonly expires_in: number
}

let token: string | undefined
let expiresAt = 0

const settings = { tokenUrl: "", clientId: "", clientSecret: "", skewMs: 60_000 }

/** Points the baseline at a token endpoint and forgets its token. */
export const configure = (options: {
  readonly tokenUrl: string
  readonly clientId: string
  readonly clientSecret: string
  readonly skewMs?: number | undefined
}): void => {
  settings.tokenUrl = options.tokenUrl
  settings.clientId = options.clientId
  settings.clientSecret = options.clientSecret
  settings.skewMs = options.skewMs ?? 60_000
  token = undefined
  expiresAt = 0
}

/** The token: the module's one while it is more than the skew away from expiry, otherwise a new one. */
export const getToken = async (): Promise<string> => {
  if (token !== undefined && Date.now() < expiresAt - settings.skewMs) return token
  const response = await axios.post<TokenResponse>(
    settings.tokenUrl,
    new URLSearchParams({ grant_type: "client_credentials" }),
    { auth: { username: settings.clientId, password: settings.clientSecret } }
  )
  token = response.data.access_token
  expiresAt = Date.now() + response.data.expires_in * 1000
  return token
}

/** A GET to a protected API with the token. */
export const callApi = async (url: string): Promise<unknown> => {
  const response = await axios.get<unknown>(url, { headers: { Authorization: `Bearer ${await getToken()}` } })
  return response.data
}
