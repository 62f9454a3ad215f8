/** The core's checks (`Checked`) as this line's `Result` (`effectLine.ts`). */
import type { Checked } from "@effect-oauth2/core/checked"
import * as EffectLine from "./effectLine.js"

/** `checked` as a `Result`: its value on success, its problem on failure. */
export const toResult = <A>(checked: Checked<A>): EffectLine.Result<A, string> =>
  checked._tag === "Valid" ? EffectLine.resultSucceed(checked.value) : EffectLine.resultFail(checked.problem)
