// A grpc-js subscriber with the keepalive settings users copy from gRPC's
// docs (a ping every 10 s, even without calls): subscribes to
// /falco.api.streaming/outputs, which stays quiet, and after SECONDS prints
// "alive MESSAGES" and exits 0, or prints "ended CODE DETAILS" and exits 1 if
// the stream ended before. Usage: node keepalive_client.js GRPC_JS_DIR TARGET SECONDS
const grpc = require(process.argv[2]);
const target = process.argv[3];
const seconds = Number(process.argv[4]);

const client = new grpc.Client(target, grpc.credentials.createInsecure(), {
  'grpc.keepalive_time_ms': 10000,
  'grpc.keepalive_timeout_ms': 5000,
  'grpc.keepalive_permit_without_calls': 1,
});
const identity = (b) => b;
let messages = 0;
let done = false;
const call = client.makeServerStreamRequest('/falco.api.streaming/outputs', identity, identity,
  Buffer.alloc(0), new grpc.Metadata(), {});
call.on('data', () => { messages++; });
call.on('error', (e) => {
  if (done) return;
  done = true;
  console.log('ended ' + e.code + ' ' + e.details);
  process.exit(1);
});
call.on('metadata', () => { console.log('open'); });
setTimeout(() => {
  done = true;
  console.log('alive ' + messages);
  call.cancel();
  client.close();
  process.exit(0);
}, seconds * 1000);
