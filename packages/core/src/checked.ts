/**
 * A value checked: the value, or what is wrong with it, in words that never repeat it (a value may be a mistyped
 * secret). What the core's checks return; each Effect line turns it into its own result type.
 */

/**
 * The value passed its checks.
 *
 * @since 0.1.0
 * @category models
 */
export interface Valid<A> {
  readonly _tag: "Valid"
  readonly value: A
}

/**
 * What is wrong, naming the option or field and never its value.
 *
 * @since 0.1.0
 * @category models
 */
export interface Invalid {
  readonly _tag: "Invalid"
  readonly problem: string
}

/**
 * A value checked.
 *
 * @since 0.1.0
 * @category models
 */
export type Checked<A> = Valid<A> | Invalid

/**
 * @since 0.1.0
 * @category constructors
 */
export const valid = <A>(value: A): Checked<A> => ({ _tag: "Valid", value })

/**
 * @since 0.1.0
 * @category constructors
 */
export const invalid = (problem: string): Invalid => ({ _tag: "Invalid", problem })
