/**
 * Where a request goes, as errors may say it: `scheme://host[:port]` (`urls.origin`), never credentials, a path, a
 * query or a fragment.
 */
import * as urls from "@effect-oauth2/core/urls"
import * as Option from "effect/Option"
import type * as EffectLine from "./effectLine.js"
import * as HttpLine from "./httpLine.js"

/** The origin `request` goes to, `undefined` when its URL is not absolute. */
export const ofRequest = (request: EffectLine.HttpClientRequest.HttpClientRequest): string | undefined =>
  Option.match(HttpLine.toUrl(request), { onNone: () => undefined, onSome: urls.origin })
