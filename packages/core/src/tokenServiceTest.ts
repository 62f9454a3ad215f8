/**
 * The test `TokenService` of each Effect line's test kit, as plain data: what it may be told, and what it records.
 * Each line answers with its own tokens and effects.
 */

/**
 * What a test token may be told; `TokenType`, `Instant` and `Lifetime` are the line's token type, instant and
 * duration inputs. Everything has a default.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenOptions<TokenType, Instant, Lifetime> {
  /** Default `"Bearer"`. */
  readonly tokenType?: TokenType | undefined
  /** Default none. */
  readonly scopes?: ReadonlyArray<string> | undefined
  /** Default the wall clock's now (`Date.now()`); pass the `TestClock`'s time when a test depends on it. */
  readonly issuedAt?: Instant | undefined
  /** Default one hour. */
  readonly lifetime?: Lifetime | undefined
}

/**
 * How the test `TokenService` answers:
 * - `{ token }`: always this token. A string becomes a `Bearer` token issued when the layer is built (on the line's
 *   `Clock`, so `TestClock` time in tests) with a lifetime of one hour.
 * - `{ respond }`: whatever `respond` gives for each request (`get` passes `{}`), failures included.
 *
 * @since 0.1.0
 * @category models
 */
export type Options<Token, Respond> = { readonly token: Token | string } | { readonly respond: Respond }

/**
 * What a test `TokenService` was asked. Each list changes only through the methods here, and is never shortened:
 * - `asked` — `ask` appends one request per `get` (`{}`) or `getFor(request)` call, in order;
 * - `dropped` — `invalidate` appends each token passed to `invalidate`, in order.
 *
 * @since 0.1.0
 * @category models
 */
export class Recorder<Request, Token> {
  private readonly asked: Array<Request> = []
  private readonly dropped: Array<Token> = []

  /** Keeps a request. */
  ask(request: Request): void {
    this.asked.push(request)
  }

  /** Keeps a token passed to `invalidate`. */
  invalidate(token: Token): void {
    this.dropped.push(token)
  }

  /** Every request so far, in order: a copy. */
  requests(): ReadonlyArray<Request> {
    return this.asked.slice()
  }

  /** Every token passed to `invalidate` so far, in order: a copy. */
  invalidated(): ReadonlyArray<Token> {
    return this.dropped.slice()
  }
}

/**
 * The key of what the test service standing for the token service keyed `serviceKey` was asked: one per named token
 * service, so that test layers for different services record separately.
 *
 * @since 0.1.0
 * @category constructors
 */
export const recorderKey = (serviceKey: string): string => `@effect-oauth2/testing/TokenServiceTest/${serviceKey}`
