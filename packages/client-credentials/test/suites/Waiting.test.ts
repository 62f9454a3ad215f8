import * as Waiting from "@effect-oauth2/suites/suites/Waiting"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

Waiting.suite({ assert, describe, it }, line)
