/**
 * Where a call goes, as errors may say it: `scheme://host[:port]`, never credentials, a path, a query or a fragment.
 */
import * as urls from "@effect-oauth2/core/urls"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as UrlParams from "@effect/platform/UrlParams"

/** `scheme://host[:port]` of `url`, as the URL parser normalises it: the core's `urls.origin`. */
export const ofUrl: (url: URL) => string = urls.origin

/** The origin `request` goes to, `undefined` when its URL is not absolute. */
export const ofRequest = (request: HttpClientRequest.HttpClientRequest): string | undefined => {
  const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
  return url._tag === "Right" ? urls.origin(url.right) : undefined
}
