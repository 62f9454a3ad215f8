/** The core's checks (`Checked`) as this line's `Result`. */
import type { Checked } from "@effect-oauth2/core/checked"
import * as Result from "effect/Result"

/** `checked` as a `Result`: its value on success, its problem on failure. */
export const toResult = <A>(checked: Checked<A>): Result.Result<A, string> =>
  checked._tag === "Valid" ? Result.succeed(checked.value) : Result.fail(checked.problem)
