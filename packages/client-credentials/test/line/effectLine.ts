/**
 * What the driver's files written once for both lines (links in the Effect 4 line's `test/line/`) take from this line
 * under one name: on Effect 3, the HTTP client of `@effect/platform`.
 */
export * as HttpClient from "@effect/platform/HttpClient"
