// A counting reverse proxy for the editor rows (bench/editor/rows.mjs): the extension in code-server is
// pointed at this address instead of the registry's, and every request it makes is forwarded unchanged
// and recorded — method, path, status, when it started and ended — with the number in flight at once.
// That is what the access log cannot say (concurrency) and what it says late (the log line is written
// after the response). Loopback only; the registry's own answers (401 challenges, Link headers) pass
// through as they are.
import http from 'node:http';

export async function startCountingProxy({ target, port }) {
  const [targetHost, targetPort] = target.split(':');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let records = [];
  let inFlight = 0;
  let peak = 0;
  const server = http.createServer((req, res) => {
    const record = { method: req.method, path: req.url, start: performance.timeOrigin + performance.now(), end: 0, status: 0 };
    records.push(record);
    inFlight++;
    peak = Math.max(peak, inFlight);
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      inFlight--;
      record.end = performance.timeOrigin + performance.now();
    };
    res.on('close', finish);
    const upstream = http.request({ host: targetHost, port: Number(targetPort), method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
      record.status = answer.statusCode;
      res.writeHead(answer.statusCode, answer.rawHeaders);
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      record.status = 502;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`bench proxy: ${error.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    host: `127.0.0.1:${port}`,
    /** Forget what was counted (the peak restarts from what is in flight now). */
    reset() {
      records = [];
      peak = inFlight;
    },
    /** What was counted since the last reset (copies). */
    snapshot() {
      return { records: records.map((r) => ({ ...r })), peak, inFlight };
    },
    async close() {
      agent.destroy();
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
