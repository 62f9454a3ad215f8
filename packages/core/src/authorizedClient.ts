/**
 * What `AuthorizedClient` decides without sending anything, in plain data: its options checked, whether a request may
 * go to an origin (or an answer be used from one), whether a request's body can be sent a second time, and the values
 * computed once per token (its `Authorization` header, its redactor). Sending, getting the token and the steps of the
 * 401 rule are each Effect line's.
 */
import { type Checked, invalid } from "./checked.js"
import { checkAllowedOrigins, origin } from "./urls.js"

/**
 * How `AuthorizedClient` picks its token and treats refusals: each line's `AuthorizedClient.Options`, with its own
 * `TokenRequest`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<Request> {
  /** Which token to send; default the `TokenService`'s configured one. */
  readonly request?: Request | undefined
  /**
   * On a 401 that says the token is invalid (`error="invalid_token"`, or no error named), drop that token, get a
   * fresh one and send the request again, once, when its body can be sent again. Default `true`.
   */
  readonly retryOnUnauthorized?: boolean | undefined
  /**
   * Fail with `ApiError` on any non-2xx answer. Default `true`; with `false`, non-2xx answers are returned as
   * responses, for callers that decode declared error bodies themselves (e.g. `HttpApiClient`).
   */
  readonly failOnErrorStatus?: boolean | undefined
  /**
   * The origins (`scheme://host[:port]`) requests may go to, e.g. `["https://api.example.com"]`. A request to any
   * other origin fails with `TokenError` `InvalidRequest`, naming that origin, before anything is sent or a token
   * fetched: the token, and the token requests a 401 causes, stay with the intended API. Recommended whenever a URL
   * may come from outside (webhooks, user input, links in responses). The URL is checked as the client receives it,
   * so a base URL (`HttpClientRequest.prependUrl`) belongs on top of the `AuthorizedClient`, not under it; a
   * relative URL is refused. Default: any origin. An entry that is not an http(s) origin kills the layer when it
   * is built (`withTokens` throws Effect's illegal-argument error: `IllegalArgumentException` on Effect 3,
   * `IllegalArgumentError` on Effect 4).
   */
  readonly allowedOrigins?: ReadonlyArray<string> | undefined
}

/**
 * The allowed origins of `options` (`undefined`: any origin), or what is wrong with them, in words that repeat no
 * value.
 *
 * @since 0.1.0
 * @category constructors
 */
export const checkOptions = (options: Options<unknown>): Checked<ReadonlySet<string> | undefined> => {
  for (const name of ["retryOnUnauthorized", "failOnErrorStatus"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "boolean") return invalid(`${name} must be a boolean`)
  }
  return checkAllowedOrigins(options.allowedOrigins)
}

/**
 * When an origin is checked: before a request goes out (`"outbound"`), or once its answer came, from wherever a
 * redirect followed under the client took it (`"answered"`).
 *
 * @since 0.1.0
 * @category models
 */
export type Stage = "outbound" | "answered"

/**
 * Why a request to `url` may not go out, or its answer may not be used, naming at most its origin (the `detail` of a
 * `TokenError` `InvalidRequest`); `undefined` when it may, and always when `allowedOrigins` is `undefined` (any
 * origin). `url` is `undefined` when the request's URL is not absolute: it cannot be checked, so it is refused.
 *
 * @since 0.1.0
 * @category constructors
 */
export const originRefusal = (
  allowedOrigins: ReadonlySet<string> | undefined,
  url: URL | undefined,
  stage: Stage
): string | undefined => {
  if (allowedOrigins === undefined) return undefined
  if (url === undefined) {
    return "the request URL is not absolute, so it cannot be checked against allowedOrigins; nothing was sent"
  }
  const refused = origin(url)
  if (allowedOrigins.has(refused)) return undefined
  return stage === "outbound"
    ? `the origin ${refused} is not in allowedOrigins; nothing was sent`
    : `the request was redirected to the origin ${refused}, which is not in allowedOrigins; its answer is not used`
}

/**
 * A request body as both Effect lines' HTTP clients hold it (`HttpBody`): what tells whether it can be sent twice.
 *
 * @since 0.1.0
 * @category models
 */
export type Body =
  | { readonly _tag: "Empty" | "Uint8Array" | "FormData" | "Stream" }
  | { readonly _tag: "Raw"; readonly body: unknown }

/**
 * Whether `body` can be sent a second time: all but a stream, and a raw body that is text or bytes (any other raw
 * body may be a stream of the platform's, read once).
 *
 * @since 0.1.0
 * @category constructors
 */
export const isReplayable = (body: Body): boolean => {
  switch (body._tag) {
    case "Empty":
    case "Uint8Array":
    case "FormData":
      return true
    case "Raw":
      return typeof body.body === "string" || body.body instanceof Uint8Array
    case "Stream":
      return false
  }
}

/**
 * Whether an answer's status is an error for `failOnErrorStatus`: anything but 2xx.
 *
 * @since 0.1.0
 * @category constructors
 */
export const isErrorStatus = (status: number): boolean => status < 200 || status >= 300

/**
 * `make`, computed once per token and kept as long as the token is (a `WeakMap`): the `Authorization` header or the
 * redactor of each token in use, built once per token rather than once per request or per error.
 *
 * @since 0.1.0
 * @category constructors
 */
export const perToken = <T extends object, A>(make: (token: T) => A): (token: T) => A => {
  const values = new WeakMap<T, A>()
  return (token) => {
    let value = values.get(token)
    if (value === undefined) {
      value = make(token)
      values.set(token, value)
    }
    return value
  }
}
