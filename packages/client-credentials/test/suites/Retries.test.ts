import * as Retries from "@effect-oauth2/suites/suites/Retries"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

Retries.suite({ assert, describe, it }, line)
