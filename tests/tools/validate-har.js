// Validates a HAR file with har-validator (the HAR 1.2 JSON schemas of har-schema).
// Usage: node validate-har.js FILE. Exit 0: valid; 1: invalid (errors on stderr);
// 3: har-validator is not installed (run `npm ci` here, as tests/run does).
'use strict';
const fs = require('fs');
let validate;
try {
  validate = require('har-validator');
} catch (e) {
  console.error('har-validator is not installed: ' + e.message);
  process.exit(3);
}
const data = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
validate.har(data).then(
  () => {
    console.log('valid HAR ' + data.log.version + ': ' + data.log.entries.length + ' entries');
  },
  (err) => {
    console.error(err.message);
    for (const e of err.errors || []) {
      console.error(JSON.stringify(e));
    }
    process.exit(1);
  }
);
