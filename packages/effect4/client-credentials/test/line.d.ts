import type * as Line from "@effect-oauth2/suites/Line"
/** The Effect 4 line. */
export declare const line: Line.Line
// # sourceMappingURL=line.d.ts.map
