/**
 * The few parts of oidc-provider 8 the interop harness uses (the package ships no types, and `@types/oidc-provider`
 * is not a dependency).
 */
declare module "oidc-provider" {
  import type * as Http from "node:http"
  import type { EventEmitter } from "node:events"

  /** The provider's configuration; its shape is checked by oidc-provider itself when constructed. */
  export interface Configuration {
    readonly [option: string]: unknown
  }

  /** The parts of a Koa context, as oidc-provider fills it, that the harness reads. */
  export interface Context {
    readonly status: number
    readonly headers: Http.IncomingHttpHeaders
    readonly oidc?: {
      readonly route?: string
      readonly params?: { readonly [name: string]: unknown }
      readonly client?: { readonly clientId: string }
    }
  }

  export default class Provider extends EventEmitter {
    constructor(issuer: string, configuration?: Configuration)
    readonly issuer: string
    /** The Koa application the provider runs on. */
    readonly app: EventEmitter
    callback(): (request: Http.IncomingMessage, response: Http.ServerResponse) => void
    /** Adds a Koa middleware that runs before oidc-provider's own. */
    use(middleware: (ctx: Context, next: () => Promise<void>) => Promise<void>): void
  }

  export const errors: {
    readonly InvalidTarget: new(description?: string) => Error
  }
}
