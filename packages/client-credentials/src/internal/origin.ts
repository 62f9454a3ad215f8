/**
 * Where a request goes, as errors may say it: `scheme://host[:port]` (`urls.origin`), never credentials, a path, a
 * query or a fragment.
 */
import * as urls from "@effect-oauth2/core/urls"
import * as Option from "effect/Option"
import { HttpClientRequest } from "./effectLine.js"

/** The origin `request` goes to, `undefined` when its URL is not absolute. */
export const ofRequest = (request: HttpClientRequest.HttpClientRequest): string | undefined =>
  Option.match(HttpClientRequest.toUrl(request), { onNone: () => undefined, onSome: urls.origin })
