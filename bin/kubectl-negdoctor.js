#!/usr/bin/env node
// kubectl finds plugins by name on PATH: `kubectl negdoctor scan` runs this file.
await import('./negdoctor.js');
