// The local partner for `npm run bench:delivery`, in a process of its own so
// it does not share the event loop with what is measured: answers 200 to
// everything and reports how many requests it has seen when asked (GET /count).
import http from 'node:http';

let count = 0;
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/count') {
    res.end(String(count));
    return;
  }
  req.resume();
  req.on('end', () => {
    count += 1;
    res.end('{"ok":true}');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
