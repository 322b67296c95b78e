// What every provider's sample module shares: reading a fixture from tests/data/ (the one copy
// every test suite uses) and the media types.
import { readFileSync } from "node:fs";

export const JSON_TYPE = "application/json";
export const FORM = "application/x-www-form-urlencoded";

export const read = (path) => readFileSync(new URL(`../../tests/data/${path}`, import.meta.url), "utf8");
