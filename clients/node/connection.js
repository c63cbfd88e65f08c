// What every jdpo Node client shares: the service definitions, loaded from proto/ at run time, and credentials.
'use strict';

const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO_ROOT = path.resolve(__dirname, '..', '..', 'proto', 'src', 'main', 'proto');

// The jdpo.v1 package of one .proto file under proto/src/main/proto/jdpo/v1.
function loadPackage(file) {
  const definition = protoLoader.loadSync(path.join(PROTO_ROOT, 'jdpo', 'v1', file), {
    includeDirs: [PROTO_ROOT],
    keepCase: true,   // field names exactly as in the .proto (snake_case)
    longs: String,    // int64 sequences survive beyond 2^53
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).jdpo.v1;
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

// --name value pairs; `required` names the options that must be there.
function parseArgs(argv, required, usage) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) {
      throw new Error(`expected --name value pairs, got ${argv.slice(i).join(' ')}`);
    }
    args[argv[i].slice(2)] = argv[i + 1];
  }
  if (required.some((name) => !args[name])) {
    throw new Error(`usage: ${usage}`);
  }
  return args;
}

function unary(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

module.exports = { loadPackage, credentials, parseArgs, unary };
