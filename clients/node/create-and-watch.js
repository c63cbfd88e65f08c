#!/usr/bin/env node
// Creates a jdpo run and watches it to its end, using only proto/src/main/proto/jdpo/v1/*.proto.
// Usage: node create-and-watch.js --address HOST:PORT --config RUN_CONFIG.json [--tls-ca CA.pem] [--token-file FILE]
// --tls-ca connects with TLS trusting that CA; the API token comes from --token-file or env JDPO_TOKEN (TLS only).
// Prints one JSON line per event ({"sequence", "status", "message"}), then {"final_status": ...}.
// Exit status: 0 when the run succeeded, 1 when it failed or was cancelled, 2 on a usage or RPC error.
'use strict';

const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO_ROOT = path.resolve(__dirname, '..', '..', 'proto', 'src', 'main', 'proto');

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) {
      throw new Error(`expected --name value pairs, got ${argv.slice(i).join(' ')}`);
    }
    args[argv[i].slice(2)] = argv[i + 1];
  }
  if (!args.address || !args.config) {
    throw new Error('usage: create-and-watch.js --address HOST:PORT --config RUN_CONFIG.json');
  }
  return args;
}

// TLS from --tls-ca, plus the bearer token as call credentials (grpc-js sends those over TLS only)
function credentials(args) {
  const token = args['token-file'] ? fs.readFileSync(args['token-file'], 'utf8').trim() : process.env.JDPO_TOKEN;
  if (!args['tls-ca']) {
    if (token) {
      throw new Error('a token needs --tls-ca: it is never sent in plaintext');
    }
    return grpc.credentials.createInsecure();
  }
  const tls = grpc.credentials.createSsl(fs.readFileSync(args['tls-ca']));
  if (!token) {
    return tls;
  }
  const bearer = grpc.credentials.createFromMetadataGenerator((_params, callback) => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    callback(null, metadata);
  });
  return grpc.credentials.combineChannelCredentials(tls, bearer);
}

function loadRunService() {
  const definition = protoLoader.loadSync(path.join(PROTO_ROOT, 'jdpo', 'v1', 'run_service.proto'), {
    includeDirs: [PROTO_ROOT],
    keepCase: true,   // field names exactly as in the .proto (snake_case)
    longs: String,    // int64 sequences survive beyond 2^53
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).jdpo.v1.RunService;
}

function unary(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

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
  const args = parseArgs(process.argv.slice(2));
  const config = JSON.parse(fs.readFileSync(args.config, 'utf8'));
  const RunService = loadRunService();
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
