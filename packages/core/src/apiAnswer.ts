/**
 * An API's error answer as the caller gets it (an `ApiError`), in plain data: the request named by its method and its
 * URL without query or fragment, the challenge of the token's scheme, and the start of the body, with the token
 * redacted from every text in every form an API may echo it in. Reading the body is each Effect line's.
 */
import type { Redactor } from "./redactor.js"
import * as WwwAuthenticate from "./wwwAuthenticate.js"

/**
 * `url` without its query string or fragment: what an error may name of a request.
 *
 * @since 0.1.0
 * @category constructors
 */
export const urlWithoutQuery = (url: string): string => url.split(/[?#]/, 1)[0] ?? url

/**
 * The start of a body read up to a limit (`truncated` when it went on past it), as an error shows it: redacted, then
 * cut to `maxBytes` (`Redactor.cut`); `undefined` when nothing is left to show.
 *
 * @since 0.1.0
 * @category constructors
 */
export const bodyPreview = (
  read: { readonly text: string; readonly truncated: boolean },
  maxBytes: number,
  redactor: Redactor
): string | undefined => {
  const shown = redactor.cut(read.text, maxBytes, { truncated: read.truncated })
  return shown === "" ? undefined : shown
}

/**
 * The fields of an `ApiError`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ApiFailure {
  readonly status: number
  readonly method: string
  readonly url: string
  readonly wwwAuthenticate?: {
    readonly scheme: string
    readonly params: Readonly<Record<string, string>>
  }
  readonly body?: string
}

/**
 * An error answer to a request sent with a token of `tokenType`: its status, the request's method and URL without
 * query, the `WWW-Authenticate` challenge of the token's scheme (its parameters redacted: a server may echo the token
 * there too) and the body's start as read (`bodyPreview`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const apiFailure = (
  answer: {
    readonly status: number
    readonly method: string
    readonly url: string
    readonly wwwAuthenticate: string | undefined
    readonly tokenType: string
    readonly body: string | undefined
  },
  redactor: Redactor
): ApiFailure => {
  const found = WwwAuthenticate.find(answer.wwwAuthenticate, answer.tokenType)
  const challenge = found === undefined ? undefined : {
    scheme: found.scheme,
    params: Object.fromEntries(Object.entries(found.params).map(([name, value]) => [name, redactor.redact(value)]))
  }
  return {
    status: answer.status,
    method: answer.method,
    url: urlWithoutQuery(answer.url),
    ...(challenge === undefined ? {} : { wwwAuthenticate: challenge }),
    ...(answer.body === undefined ? {} : { body: answer.body })
  }
}
