#!/usr/bin/env node
// Extracts every document the shared tests of @wordpress/block-serialization-spec-parser
// pass to parse(), and writes them as JSON [{name, doc}] to the path given as argv[2].
// The tests' expectations are NOT used: the oracle is the installed WP_Block_Parser, and
// the JS parsers disagree with it on several points (see docs/diff.md).
// The shared test file is an ES module written for jest: we strip `export`, run it with
// stub describe/test/expect globals, and record the argument of every parse() call.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const out = process.argv[2];
if (!out) {
	console.error('Usage: extract-spec.js OUT.json');
	process.exit(3);
}
const pkgDir = path.join(__dirname, 'node_modules', '@wordpress',
	'block-serialization-spec-parser');
const file = path.join(pkgDir, 'shared-tests.js');
const version = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'))).version;
const src = fs.readFileSync(file, 'utf8');
if (!/export const jsTester/.test(src)) {
	console.error(`${file}: no "export const jsTester": the package layout changed`);
	process.exit(1);
}

// Anything the tests do with a parse result or an expect() must not throw: a proxy that
// answers every property access and call with itself.
const sink = new Proxy(function () {}, {
	get: (t, p) => (p === Symbol.toPrimitive ? () => '' : sink),
	apply: () => sink,
});

const docs = [];
const seen = new Set();
const names = [];
let current = 'top';
const parse = (doc) => {
	if (typeof doc !== 'string') throw new Error('parse() got a non-string');
	if (!seen.has(doc)) {
		seen.add(doc);
		docs.push({ name: `${current} #${docs.filter((d) => d.test === current).length + 1}`,
			test: current, doc });
	}
	return sink;
};
const expect = (value) => {
	// expect(() => parse(...)).not.toThrow(): the document is inside the callback.
	if (typeof value === 'function') {
		try { value(); } catch (e) { /* the recording parse() never throws */ }
	}
	return sink;
};
expect.any = () => sink;
expect.objectContaining = () => sink;
const describe = (name, fn) => {
	names.push(name);
	try { fn(); } finally { names.pop(); }
};
const test = (name, fn) => {
	const saved = current;
	current = [...names, name].join(' > ');
	try { fn(); } finally { current = saved; }
};

const code = src.replace(/^export const /gm, 'const ') + '\n;jsTester(parse)();\n';
vm.runInNewContext(code, {
	parse, expect, describe, test, it: test, require, process: { env: {} },
}, { filename: file });

if (docs.length < 20) {
	console.error(`only ${docs.length} documents extracted from ${file}: layout changed?`);
	process.exit(1);
}
fs.writeFileSync(out, JSON.stringify({
	package: '@wordpress/block-serialization-spec-parser',
	version,
	documents: docs.map(({ name, doc }) => ({ name, doc })),
}, null, 1));
console.log(`extracted ${docs.length} documents from ` +
	`@wordpress/block-serialization-spec-parser ${version} shared-tests.js`);
