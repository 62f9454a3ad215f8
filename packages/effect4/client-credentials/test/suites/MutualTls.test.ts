/** The behavioural suite of mutual TLS, on the Effect 4 line. */
import * as MutualTls from "@effect-oauth2/suites/MutualTls"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

MutualTls.suite({ assert, describe, it }, line)
