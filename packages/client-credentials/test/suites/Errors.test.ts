import * as Errors from "@effect-oauth2/suites/suites/Errors"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

Errors.suite({ assert, describe, it }, line)
