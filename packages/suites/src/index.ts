/**
 * The behavioural suites of effect-oauth2, run by each Effect line against its own driver. Each suite is a module of
 * its own (`@effect-oauth2/suites/SingleFlight`, …) exporting `suite`, so that a line's test file loads only the one it
 * runs; this entry names the driver and the runner they take.
 *
 * @since 0.1.0
 */

/**
 * The driver each line implements.
 *
 * @since 0.1.0
 */
export * as Line from "./Line.js"

/**
 * What a suite needs of the test runner.
 *
 * @since 0.1.0
 */
export * as TestApi from "./TestApi.js"
