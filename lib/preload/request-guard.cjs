/**
 * Node's HTTP layer, before Next.js sees a request. Loaded into the `next start` process with
 * `node --require ./lib/preload/preload.cjs` by scripts/run-app.mjs (the one start command: npm
 * start, the Dockerfile and the tests all use it).
 *
 * Why here: on every path its middleware matches, Next.js buffers up to 10 MB of a request body
 * before the middleware or a route handler runs, and answers `100 Continue` to any upload. A
 * limit checked in the handler comes after the whole body was read into memory. Here:
 * - a declared Content-Length over the limit is refused at once (413; 417 to `Expect: 100-continue`);
 * - a body without a declared length (chunked) is cut off as soon as it passes the limit (413);
 * - methods that Next.js cannot represent (TRACE, CONNECT, anything unknown) get 405 with `Allow`
 *   rather than a 500 from deep inside the framework;
 * - the socket's peer address is passed on in PEER_HEADER (any client-sent copy is overwritten):
 *   route handlers cannot see the socket, and sign-in throttling needs the address.
 * Plain CommonJS that imports only its own folder: it runs before the app is loaded.
 */
'use strict';
const http = require('node:http');
const { GUARD_ACTIVE, MAX_BODY_BYTES, PEER_HEADER, problemBody } = require('./shared.cjs');

const METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'];

function problem(res, status, code, title, detail, headers = {}) {
  const body = JSON.stringify(problemBody(code, title, status, detail));
  res.writeHead(status, {
    'Content-Type': 'application/problem+json',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    // The rest of an oversized upload is not worth reading: close once the answer is out.
    Connection: 'close',
    ...headers,
  });
  res.end(body);
}

function tooLarge(res, limit) {
  problem(res, 413, 'payload_too_large', 'The request body is too large', `the body must be at most ${limit} bytes`);
}

function declaredLength(req) {
  const header = req.headers['content-length'];
  return header === undefined ? null : Number(header);
}

/**
 * After the guard has answered, the framework may still finish its own work on the request: its
 * writes must go nowhere rather than fail on an ended response.
 */
function silence(res) {
  for (const method of ['writeHead', 'setHeader', 'removeHeader', 'write', 'end', 'flushHeaders']) {
    res[method] = function ignored() {
      return method === 'write' ? false : this;
    };
  }
}

/** Counts body bytes as the HTTP parser delivers them; past the limit, answers 413 and stops reading. */
function limitStreamedBody(req, res, limit) {
  let received = 0;
  const push = req.push;
  req.push = function guardedPush(chunk, encoding) {
    if (chunk !== null && chunk !== undefined) {
      received += chunk.length;
      if (received > limit) {
        req.push = push;
        if (!res.headersSent) tooLarge(res, limit);
        silence(res);
        // The framework sees a failed upload, never a truncated body it could act on.
        req.destroy(Object.assign(new Error('request body over the limit'), { code: 'ERR_BODY_TOO_LARGE' }));
        return false;
      }
    }
    return push.call(this, chunk, encoding);
  };
}

const ABSOLUTE_FORM = /^https?:\/\/([^/?#]*)(.*)$/i;
/** A host name or an IP address (IPv6 in brackets), with an optional port (RFC 9110 §7.2). */
const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * Brings the request target into origin form ("/path?query"), or says why it cannot be served:
 * - absolute form ("http://host/path", RFC 9112 §3.2.2) becomes its path, and its authority the
 *   Host (which the RFC says it overrides); Next.js would otherwise answer with a redirect to it;
 * - the asterisk form ("*") and anything else is not a path of this app;
 * - a target whose percent-encoding does not decode ("%ZZ", "%C0%AF", a truncated "%E0%A4%A"), in
 *   its path or its query, names nothing here, and the framework would answer it with a bare 500.
 */
/** The last Host header found valid: clients send the same one with every request. */
let validHost = '';

function originForm(req) {
  let target = req.url ?? '';
  // Origin form ("/...") is what nearly every request uses; only anything else is parsed further.
  const absolute = target.startsWith('/') ? null : ABSOLUTE_FORM.exec(target);
  if (absolute) {
    if (absolute[1] === '') return { problem: 'the request target has no host' };
    req.headers.host = absolute[1];
    target = absolute[2] === '' ? '/' : absolute[2];
    req.url = target;
  }
  if (!target.startsWith('/')) return { problem: 'the request target must be a path' };
  // Next.js builds the request's URL from Host: one that is not a host would fail deep inside it.
  const host = req.headers.host;
  if (host !== undefined && host !== validHost) {
    if (!HOST.test(host)) return { problem: 'the Host header is not a host name' };
    validHost = host;
  }
  // Without a "%" there is nothing to decode, and so nothing that could fail to.
  if (target.includes('%')) {
    try {
      decodeURIComponent(target.replace(/#.*/, ''));
    } catch {
      return { problem: 'the request target is not valid percent-encoding' };
    }
  }
  return { problem: null };
}

/** Returns false when the guard answered the request itself. */
function admit(req, res, limit) {
  if (!METHODS.includes(req.method)) {
    problem(res, 405, 'method_not_allowed', 'Method not allowed', `${req.method} is not supported`, {
      Allow: METHODS.join(', '),
    });
    return false;
  }
  // The client's mistake, on every path: 400 with a problem body (originForm says which).
  const { problem: malformed } = originForm(req);
  if (malformed) {
    problem(res, 400, 'invalid_request', 'The request is malformed', malformed);
    req.resume();
    return false;
  }
  const length = declaredLength(req);
  if (length !== null && length > limit) {
    tooLarge(res, limit);
    req.resume(); // drain what already arrived; Connection: close ends the rest
    return false;
  }
  if (length === null && req.headers['transfer-encoding'] !== undefined) limitStreamedBody(req, res, limit);
  return true;
}

function install(server, limit) {
  // With a 'checkContinue' listener Node no longer answers `100 Continue` on its own.
  server.on('checkContinue', (req, res) => {
    const length = declaredLength(req);
    if (length !== null && length > limit) {
      problem(
        res,
        417,
        'payload_too_large',
        'The request body is too large',
        `the body must be at most ${limit} bytes`,
      );
      return;
    }
    res.writeContinue();
    server.emit('request', req, res);
  });
}

function guardListener(listener, limit) {
  return function guardedListener(req, res) {
    if (!admit(req, res, limit)) return undefined;
    // Overwrites whatever the client sent under this name.
    req.headers[PEER_HEADER] = req.socket.remoteAddress ?? '';
    return listener.call(this, req, res);
  };
}

function patchCreateServer(limit = MAX_BODY_BYTES) {
  globalThis[GUARD_ACTIVE] = true;
  const original = http.createServer;
  http.createServer = function createGuardedServer(...args) {
    const index = args.findIndex((arg) => typeof arg === 'function');
    if (index !== -1) args[index] = guardListener(args[index], limit);
    const server = original.apply(this, args);
    install(server, limit);
    return server;
  };
}

module.exports = { MAX_BODY_BYTES, METHODS, PEER_HEADER, guardListener, install, patchCreateServer };
