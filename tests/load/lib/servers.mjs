// Start and stop the servers under load, each in a process of its own on
// 127.0.0.1 with an ephemeral port (each prints its port on its first line).
//
// Environment: LOAD_PYTHON (the Python of the project venv, for FastAPI and Flask),
// LOAD_GO_SERVER (the built tests/load/go binary).

import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'

import { LOAD_DIR } from './paths.mjs'

/** The servers by name: how to start each, and what it is. */
const express = (stack, env = {}) => () => [process.execPath, [path.join(LOAD_DIR, 'servers', 'express.mjs'), stack], env]

export const SERVERS = {
  'express-addon': { label: 'Express + addon middleware', command: express('addon') },
  'express-native': { label: 'Express + pure-JS middleware (secp256k1 npm + node:crypto, session cache)', command: express('native') },
  'express-reference': { label: 'Express + pure-JS middleware (reference crypto stack, a session per request as the reference)', command: express('reference', { LOAD_SESSION_CACHE: '0' }) },
  'express-reference-cached': { label: 'Express + pure-JS middleware (reference crypto stack, session cache)', command: express('reference') },
  'express-plain': { label: 'Express, no authentication', command: express('plain') },
  'express-v2-memory': { label: 'Express + createServer (v2 and v1), memory replay store', command: () => [process.execPath, [path.join(LOAD_DIR, 'servers', 'express-v2.mjs')], { LOAD_REPLAY: 'memory' }] },
  'express-v2-redis': { label: 'Express + createServer (v2 and v1), Redis replay store', command: () => [process.execPath, [path.join(LOAD_DIR, 'servers', 'express-v2.mjs')], { LOAD_REPLAY: redisUrl() }] },
  fastapi: { label: 'FastAPI/uvicorn + Python binding', command: () => [python(), [servePy(), 'fastapi']] },
  'fastapi-plain': { label: 'FastAPI/uvicorn, no authentication', command: () => [python(), [servePy(), 'fastapi-plain']] },
  flask: { label: 'Flask/gunicorn + Python binding', command: () => [python(), [servePy(), 'flask']] },
  'flask-plain': { label: 'Flask/gunicorn, no authentication', command: () => [python(), [servePy(), 'flask-plain']] },
  go: { label: 'Go net/http + middleware', command: () => [goServer(), ['-auth=true']] },
  'go-plain': { label: 'Go net/http, no authentication', command: () => [goServer(), ['-auth=false']] }
}

function python () {
  const bin = process.env.LOAD_PYTHON
  if (!bin) throw new Error('LOAD_PYTHON must name the Python of the project venv (make bench-http sets it)')
  return bin
}

function redisUrl () {
  const url = process.env.CRYPTO_SESSION_TEST_REDIS_URL
  if (!url) throw new Error('CRYPTO_SESSION_TEST_REDIS_URL must name a redis-server: run under tests/redis/with-redis.sh (make bench-http does)')
  return url
}

function servePy () {
  return path.join(LOAD_DIR, 'servers', 'serve.py')
}

function goServer () {
  const bin = process.env.LOAD_GO_SERVER
  if (!bin || !fs.existsSync(bin)) throw new Error('LOAD_GO_SERVER must name the built tests/load/go server (make bench-http builds it)')
  return bin
}

/**
 * Start server `name` with the given key and host. Resolves to
 * { name, port, pid, child, stop() } once it listens; rejects if it exits first.
 */
export async function startServer (name, { secretKey, host }) {
  const spec = SERVERS[name]
  if (!spec) throw new Error(`unknown server ${name}`)
  const [command, args, env = {}] = spec.command()
  const child = spawn(command, args, {
    env: { ...process.env, ...env, LOAD_SECRET_KEY: secretKey, LOAD_HOST: host },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr.on('data', chunk => { stderr = (stderr + chunk).slice(-8000) })
  const port = await new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout })
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 60 s:\n${stderr}`)), 60_000)
    lines.once('line', line => {
      clearTimeout(timer)
      resolve(Number(line.trim()))
    })
    child.once('exit', code => {
      clearTimeout(timer)
      reject(new Error(`${name} exited (${code}) before listening:\n${stderr}`))
    })
  })
  await waitUntilServing(port)
  const exited = new Promise(resolve => child.once('exit', (code, signal) => resolve({ code, signal })))
  return {
    name,
    port,
    pid: child.pid,
    child,
    stderr: () => stderr,
    exited,
    async stop () {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      const result = await exited
      clearTimeout(timer)
      return result
    }
  }
}

// gunicorn prints nothing when its workers are up; wait until one answers.
async function waitUntilServing (port) {
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) })
      return
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`port ${port} does not answer: ${err.message}`)
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }
}

/** Resident set size of a process in KiB (VmRSS of /proc/<pid>/status), with its children when asked. */
export function rssKiB (pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = status.match(/^VmRSS:\s+(\d+) kB/m)
  if (!match) throw new Error(`no VmRSS for ${pid}`)
  return Number(match[1])
}
