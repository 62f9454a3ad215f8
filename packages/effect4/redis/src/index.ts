/**
 * A `TokenStore` on Redis (ioredis `Redis` or `Cluster`): one token for every replica of a service.
 *
 * @since 0.1.0
 */
export * as RedisTokenStore from "./RedisTokenStore.js"
