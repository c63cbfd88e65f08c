#!/usr/bin/env node
// FeedbackService from the command line, using only proto/src/main/proto/jdpo/v1/feedback.proto.
// Usage: node feedback.js log|record|export --address HOST:PORT [--request REQUEST.json] [--tls-ca CA.pem] [--token-file FILE]
//   log:    --request is a LogCompletionRequest; prints the LogCompletionResponse ({"request_id", "completion_ids"}).
//   record: --request is a RecordFeedbackRequest, e.g. {"user_choice": {"chosen_completion_id": "cmp-..."}};
//           prints {"feedback_id"}.
//   export: --request (optional) is an ExportPairsRequest; prints one JSON line per pair in the OpenAI/Azure
//           preference schema ({"input", "preferred_output", "non_preferred_output", "feedback_ids", ...}),
//           then {"summary": {...}}.
// Requests are proto JSON with the .proto field names. Exit status: 0, or 2 on a usage or RPC error.
'use strict';

const fs = require('fs');
const { loadPackage, credentials, parseArgs, unary } = require('./connection');

const USAGE = 'feedback.js log|record|export --address HOST:PORT [--request REQUEST.json]';

function exportPairs(client, request) {
  return new Promise((resolve, reject) => {
    const stream = client.ExportPairs(request);
    stream.on('data', (item) => {
      if (item.item === 'pair') {
        const pair = item.pair;
        console.log(JSON.stringify({ input: pair.input, preferred_output: pair.preferred_output,
          non_preferred_output: pair.non_preferred_output, feedback_ids: pair.feedback_ids, sources: pair.sources,
          task: pair.task }));
      } else {
        console.log(JSON.stringify({ summary: item.summary }));
      }
    });
    stream.on('error', reject);
    stream.on('end', resolve);
  });
}

async function main() {
  const command = process.argv[2];
  if (!['log', 'record', 'export'].includes(command)) {
    throw new Error(`usage: ${USAGE}`);
  }
  const args = parseArgs(process.argv.slice(3), command === 'export' ? ['address'] : ['address', 'request'], USAGE);
  const request = args.request ? JSON.parse(fs.readFileSync(args.request, 'utf8')) : {};
  const { FeedbackService } = loadPackage('feedback.proto');
  const client = new FeedbackService(args.address, credentials(args));
  try {
    if (command === 'log') {
      console.log(JSON.stringify(await unary(client, 'LogCompletion', request)));
    } else if (command === 'record') {
      console.log(JSON.stringify(await unary(client, 'RecordFeedback', request)));
    } else {
      await exportPairs(client, request);
    }
  } finally {
    client.close();
  }
}

main().then(() => { process.exitCode = 0; }, (error) => {
  console.error(`feedback: ${error.details || error.message}`);
  process.exitCode = 2;
});
