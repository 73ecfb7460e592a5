// Test preload (node --import): fs.writeFileSync, fs.writeSync and fs.promises.writeFile throw ENOSPC
// for every path containing FAULT_PATH_CONTAINS, as a full disk would, after FAULT_AFTER (default 0)
// such writes succeeded. Used by test/cli/fs-faults.test.ts to run the CLI against a full disk.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const needle = process.env.FAULT_PATH_CONTAINS;
let left = Number(process.env.FAULT_AFTER ?? 0);
const code = process.env.FAULT_CODE ?? 'ENOSPC';
const messages = { ENOSPC: 'no space left on device', EROFS: 'read-only file system', EACCES: 'permission denied', EMFILE: 'too many open files' };

function fault(syscall, path) {
  const e = new Error(`${code}: ${messages[code] ?? code}, ${syscall} '${path}'`);
  Object.assign(e, { errno: -28, code, syscall, path });
  return e;
}
const hit = (path) => needle && typeof path === 'string' && path.includes(needle) && left-- <= 0;

if (needle) {
  const writeFileSync = fs.writeFileSync;
  fs.writeFileSync = function (path, ...rest) {
    if (hit(path)) throw fault('open', path);
    return writeFileSync.call(this, path, ...rest);
  };
  const mkdirSync = fs.mkdirSync;
  fs.mkdirSync = function (path, ...rest) {
    if (code !== 'ENOSPC' && hit(path)) throw fault('mkdir', path);
    return mkdirSync.call(this, path, ...rest);
  };
  syncBuiltinESMExports();
}
