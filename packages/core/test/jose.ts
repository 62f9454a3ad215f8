/**
 * The `jose` the core's tests sign and verify with: jose 6, the version both lines depend on and pass in to the
 * core's signing (the root's jose 5 is a test server's).
 */
import type * as JoseTypes from "../../client-credentials/node_modules/jose/dist/types/index.js"

const josePath: string = "../../client-credentials/node_modules/jose/dist/webapi/index.js"

/** jose 6's module. */
export const Jose = (await import(josePath)) as typeof JoseTypes
