import * as RejectedTokens from "@effect-oauth2/suites/suites/RejectedTokens"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

RejectedTokens.suite({ assert, describe, it }, line)
