#!/usr/bin/env node
// Creates a jdpo run and watches it to its end, using only proto/src/main/proto/jdpo/v1/*.proto.
// Usage: node create-and-watch.js --address HOST:PORT --config RUN_CONFIG.json [--tls-ca CA.pem] [--token-file FILE]
// --tls-ca connects with TLS trusting that CA; the API token comes from --token-file or env JDPO_TOKEN (TLS only).
// Prints one JSON line per event ({"sequence", "status", "message"}), then {"final_status": ...}.
// Exit status: 0 when the run succeeded, 1 when it failed or was cancelled, 2 on a usage or RPC error.
'use strict';

const fs = require('fs');
const { loadPackage, credentials, parseArgs, unary } = require('./connection');

function watch(client, runId) {
  return new Promise((resolve, reject) => {
    let lastSequence = 0n;
    const stream = client.WatchRun({ run_id: runId, after_sequence: '0' });
    stream.on('data', (event) => {
      const sequence = BigInt(event.sequence);
      if (sequence !== lastSequence + 1n) {
        reject(new Error(`event sequence ${sequence} after ${lastSequence}: lost or repeated events`));
        return;
      }
      lastSequence = sequence;
      const status = event.payload === 'status_change' ? event.status_change.status : null;
      console.log(JSON.stringify({ sequence: event.sequence, payload: event.payload || null, status,
        message: event.message }));
    });
    stream.on('error', reject);
    stream.on('end', () => resolve(lastSequence));
  });
}

async function main() {
  const args = parseArgs(process.argv.slice(2), ['address', 'config'],
    'create-and-watch.js --address HOST:PORT --config RUN_CONFIG.json');
  const config = JSON.parse(fs.readFileSync(args.config, 'utf8'));
  const { RunService } = loadPackage('run_service.proto');
  const client = new RunService(args.address, credentials(args));
  try {
    const run = await unary(client, 'CreateRun', { config });
    console.log(JSON.stringify({ created: run.id, status: run.status }));
    await watch(client, run.id);
    const done = await unary(client, 'GetRun', { run_id: run.id });
    console.log(JSON.stringify({ final_status: done.status, last_sequence: done.last_sequence,
      result_model_dir: done.result_model_dir }));
    return done.status === 'RUN_STATUS_SUCCEEDED' ? 0 : 1;
  } finally {
    client.close();
  }
}

main().then((code) => { process.exitCode = code; }, (error) => {
  console.error(`create-and-watch: ${error.details || error.message}`);
  process.exitCode = 2;
});
