/** The behavioural suite of secrets (`docs/behaviour.md#secrets`), on the Effect 4 line. */
import * as Secrets from "@effect-oauth2/suites/Secrets"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

Secrets.suite({ assert, describe, it }, line)
