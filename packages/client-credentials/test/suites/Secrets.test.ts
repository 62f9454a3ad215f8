import * as Secrets from "@effect-oauth2/suites/suites/Secrets"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

Secrets.suite({ assert, describe, it }, line)
