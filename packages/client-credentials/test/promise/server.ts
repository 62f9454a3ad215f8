/** The Promise API's test server, shared with the behavioural suites. */
export * from "@effect-oauth2/suites/fixtures/PromiseServer"
