// Where the pieces under test live, from this folder.
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const LOAD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const ROOT = path.resolve(LOAD_DIR, '..', '..')
export const NODE_PACKAGE_DIR = path.join(ROOT, 'bindings', 'node')
export const JS_PEER_DIR = path.join(ROOT, 'tests', 'interop', 'js-peer')
