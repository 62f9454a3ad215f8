/** The core's checks (`Checked`) as this line's `Either`. */
import type { Checked } from "@effect-oauth2/core/checked"
import * as Either from "effect/Either"

/** `checked` as an `Either`: its value on the right, its problem on the left. */
export const toEither = <A>(checked: Checked<A>): Either.Either<A, string> =>
  checked._tag === "Valid" ? Either.right(checked.value) : Either.left(checked.problem)
