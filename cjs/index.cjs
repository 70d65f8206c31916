'use strict';
/* global module, require, process */
/* eslint-disable @typescript-eslint/no-require-imports -- this file is the CommonJS entry */
// `require('torchlet')` (the "require" condition of package.json's exports). torchlet is an ES
// module (dist/index.js). Node.js loads ES modules with require() from 20.19 and 22.12 on
// ("require(esm)"; 20.17+ and 22.0+ with --experimental-require-module): there this file hands the
// same module instance over that `import` gives. Elsewhere it says what to do instead.
try {
  module.exports = require('../dist/index.js');
} catch (err) {
  if (err && (err.code === 'ERR_REQUIRE_ESM' || err.code === 'ERR_REQUIRE_ASYNC_MODULE')) {
    throw new Error(
      `torchlet is an ES module and this Node.js (${process.version}) cannot load it with require(). ` +
        "Use `const torch = await import('torchlet')` (or `import * as torch from 'torchlet'` in an ES module), " +
        'or run Node.js >= 20.19 or >= 22.12, where require(\'torchlet\') works.',
      { cause: err },
    );
  }
  throw err;
}
