/**
 * Where a request goes, as errors may say it: `scheme://host[:port]` (`urls.origin`), never credentials, a path, a
 * query or a fragment.
 */
import * as urls from "@effect-oauth2/core/urls"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as UrlParams from "@effect/platform/UrlParams"

/** The origin `request` goes to, `undefined` when its URL is not absolute. */
export const ofRequest = (request: HttpClientRequest.HttpClientRequest): string | undefined => {
  const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
  return url._tag === "Right" ? urls.origin(url.right) : undefined
}
