#!/usr/bin/env node
// Runs examples/wasm_ratio.rs, built for wasm32-wasip1, under Node's WASI: the hot-path
// ratios in WebAssembly on V8, the engine the worker runs on.
//   node bench/wasm-ratio.mjs [--quick]    (build first: see bench/run.mjs)
import { readFileSync } from "node:fs";
import { WASI } from "node:wasi";

const args = process.argv.slice(2);
const wasi = new WASI({ version: "preview1", args: ["wasm_ratio", ...args], env: {} });
const module = await WebAssembly.compile(readFileSync("target/wasm32-wasip1/release/examples/wasm_ratio.wasm"));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
wasi.start(instance);
