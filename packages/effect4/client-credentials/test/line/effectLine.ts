/**
 * What the driver's files written once for both lines (links to the Effect 3 line's `test/line/`) take from this line
 * under one name: on Effect 4, the HTTP client of `effect/http`.
 */
export * as HttpClient from "effect/http/HttpClient"
