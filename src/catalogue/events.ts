/**
 * The event catalogue: every event audithook raises. Types (`AuditEvents`), docs/events.md,
 * docs/cpython-parity.md and the tests derive from this data.
 */
import type { EventSpec, UnauditedApi } from './types.js';

/** `dir_fd` and its kin: CPython's *at() descriptor arguments have no Node meaning and are always null. */
const DIR_FD = { name: 'dir_fd', type: 'null' } as const;

export const events = [
  {
    name: 'sys.addaudithook',
    args: [],
    description: 'A hook is about to be added. A hook that throws an Error here vetoes it (addAuditHook returns false).',
    raisedBy: ['addAuditHook'],
    since: '20.0.0',
    cpython: 'sys.addaudithook',
  },
  {
    name: 'open',
    args: [
      { name: 'path', type: 'string' },
      { name: 'mode', type: 'string | null' },
      { name: 'flags', type: 'number' },
    ],
    description: 'A file is opened by path. `mode` is the string flag (\'r\', \'w+\', ...) or null when numeric flags were given; `flags` is always the numeric O_* value.',
    raisedBy: [
      'fs.open', 'fs.openSync', 'fsPromises.open',
      'fs.readFile', 'fs.readFileSync', 'fsPromises.readFile',
      'fs.writeFile', 'fs.writeFileSync', 'fsPromises.writeFile',
      'fs.appendFile', 'fs.appendFileSync', 'fsPromises.appendFile',
      'fs.createReadStream', 'fs.createWriteStream', 'fs.openAsBlob',
    ],
    since: '20.0.0',
    cpython: 'open',
  },
  {
    name: 'os.remove',
    args: [{ name: 'path', type: 'string' }, DIR_FD],
    description: 'A file is removed.',
    raisedBy: ['fs.unlink', 'fs.unlinkSync', 'fsPromises.unlink', 'fs.rm', 'fs.rmSync', 'fsPromises.rm (without recursive)'],
    since: '20.0.0',
    cpython: 'os.remove',
  },
  {
    name: 'os.rename',
    args: [
      { name: 'src', type: 'string' },
      { name: 'dst', type: 'string' },
      { name: 'src_dir_fd', type: 'null' },
      { name: 'dst_dir_fd', type: 'null' },
    ],
    description: 'A file or directory is renamed or moved.',
    raisedBy: ['fs.rename', 'fs.renameSync', 'fsPromises.rename'],
    since: '20.0.0',
    cpython: 'os.rename',
  },
  {
    name: 'os.mkdir',
    args: [{ name: 'path', type: 'string' }, { name: 'mode', type: 'number' }, DIR_FD],
    description: 'A directory is created (with `recursive`, one event for the path given).',
    raisedBy: ['fs.mkdir', 'fs.mkdirSync', 'fsPromises.mkdir'],
    since: '20.0.0',
    cpython: 'os.mkdir',
  },
  {
    name: 'os.rmdir',
    args: [{ name: 'path', type: 'string' }, DIR_FD],
    description: 'An empty directory is removed.',
    raisedBy: ['fs.rmdir', 'fs.rmdirSync', 'fsPromises.rmdir'],
    since: '20.0.0',
    cpython: 'os.rmdir',
  },
  {
    name: 'os.listdir',
    args: [{ name: 'path', type: 'string' }],
    description: 'A directory is listed (with `recursive`, one event for the path given).',
    raisedBy: ['fs.readdir', 'fs.readdirSync', 'fsPromises.readdir'],
    since: '20.0.0',
    cpython: 'os.listdir',
  },
  {
    name: 'os.scandir',
    args: [{ name: 'path', type: 'string' }],
    description: 'A directory is opened for iteration.',
    raisedBy: ['fs.opendir', 'fs.opendirSync', 'fsPromises.opendir'],
    since: '20.0.0',
    cpython: 'os.scandir',
  },
  {
    name: 'os.chmod',
    args: [{ name: 'path', type: 'string | number' }, { name: 'mode', type: 'number' }, DIR_FD],
    description: 'Permissions change. `path` is the file descriptor for the fd and FileHandle forms.',
    raisedBy: [
      'fs.chmod', 'fs.chmodSync', 'fsPromises.chmod', 'fs.lchmod', 'fs.lchmodSync', 'fsPromises.lchmod',
      'fs.fchmod', 'fs.fchmodSync', 'filehandle.chmod',
    ],
    since: '20.0.0',
    cpython: 'os.chmod',
  },
  {
    name: 'os.chown',
    args: [
      { name: 'path', type: 'string | number' },
      { name: 'uid', type: 'number' },
      { name: 'gid', type: 'number' },
      DIR_FD,
    ],
    description: 'Ownership changes. `path` is the file descriptor for the fd and FileHandle forms.',
    raisedBy: [
      'fs.chown', 'fs.chownSync', 'fsPromises.chown', 'fs.lchown', 'fs.lchownSync', 'fsPromises.lchown',
      'fs.fchown', 'fs.fchownSync', 'filehandle.chown',
    ],
    since: '20.0.0',
    cpython: 'os.chown',
  },
  {
    name: 'os.link',
    args: [
      { name: 'src', type: 'string' },
      { name: 'dst', type: 'string' },
      { name: 'src_dir_fd', type: 'null' },
      { name: 'dst_dir_fd', type: 'null' },
    ],
    description: 'A hard link `dst` to the existing file `src` is created.',
    raisedBy: ['fs.link', 'fs.linkSync', 'fsPromises.link'],
    since: '20.0.0',
    cpython: 'os.link',
  },
  {
    name: 'os.symlink',
    args: [{ name: 'src', type: 'string' }, { name: 'dst', type: 'string' }, DIR_FD],
    description: 'A symbolic link `dst` pointing to `src` (Node\'s `target`) is created.',
    raisedBy: ['fs.symlink', 'fs.symlinkSync', 'fsPromises.symlink'],
    since: '20.0.0',
    cpython: 'os.symlink',
  },
  {
    name: 'os.truncate',
    args: [{ name: 'fd', type: 'string | number' }, { name: 'length', type: 'number' }],
    description: 'A file is truncated, by path or (ftruncate, FileHandle) by descriptor.',
    raisedBy: [
      'fs.truncate', 'fs.truncateSync', 'fsPromises.truncate', 'fs.ftruncate', 'fs.ftruncateSync', 'filehandle.truncate',
    ],
    since: '20.0.0',
    cpython: 'os.truncate',
  },
  {
    name: 'os.utime',
    args: [
      { name: 'path', type: 'string | number' },
      { name: 'times', type: '[number, number]' },
      { name: 'ns', type: 'null' },
      DIR_FD,
    ],
    description: 'Access and modification times are set; `times` is [atime, mtime] in seconds.',
    raisedBy: [
      'fs.utimes', 'fs.utimesSync', 'fsPromises.utimes', 'fs.lutimes', 'fs.lutimesSync', 'fsPromises.lutimes',
      'fs.futimes', 'fs.futimesSync', 'filehandle.utimes',
    ],
    since: '20.0.0',
    cpython: 'os.utime',
  },
  {
    name: 'tempfile.mkdtemp',
    args: [{ name: 'fullpath', type: 'string' }],
    description: 'A unique temporary directory is created. The OS picks the name, so `fullpath` is the template: the prefix followed by XXXXXX.',
    raisedBy: ['fs.mkdtemp', 'fs.mkdtempSync', 'fsPromises.mkdtemp', 'fs.mkdtempDisposableSync', 'fsPromises.mkdtempDisposable'],
    since: '20.0.0',
    cpython: 'tempfile.mkdtemp',
  },
  {
    name: 'shutil.copyfile',
    args: [{ name: 'src', type: 'string' }, { name: 'dst', type: 'string' }],
    description: 'A file is copied (copyFile, or cp without `recursive`).',
    raisedBy: ['fs.copyFile', 'fs.copyFileSync', 'fsPromises.copyFile', 'fs.cp', 'fs.cpSync', 'fsPromises.cp'],
    since: '20.0.0',
    cpython: 'shutil.copyfile',
  },
  {
    name: 'shutil.copytree',
    args: [{ name: 'src', type: 'string' }, { name: 'dst', type: 'string' }],
    description: 'A directory tree is copied (cp with `recursive: true`). The copy of each entry raises nothing more.',
    raisedBy: ['fs.cp', 'fs.cpSync', 'fsPromises.cp'],
    since: '20.0.0',
    cpython: 'shutil.copytree',
  },
  {
    name: 'shutil.rmtree',
    args: [{ name: 'path', type: 'string' }, DIR_FD],
    description: 'A directory tree is removed (rm or rmdir with `recursive: true`). The removal of each entry raises nothing more.',
    raisedBy: ['fs.rm', 'fs.rmSync', 'fsPromises.rm', 'fs.rmdir', 'fs.rmdirSync', 'fsPromises.rmdir'],
    since: '20.0.0',
    cpython: 'shutil.rmtree',
  },
  {
    name: 'glob.glob/2',
    args: [
      { name: 'pathname', type: 'string | string[]' },
      { name: 'recursive', type: 'boolean' },
      { name: 'root_dir', type: 'string | null' },
      DIR_FD,
    ],
    description: 'Paths are matched against a pattern (or patterns); `root_dir` is the `cwd` option, null when absent. `recursive` is always true: Node\'s glob always understands **.',
    raisedBy: ['fs.glob', 'fs.globSync', 'fsPromises.glob'],
    since: '22.0.0',
    cpython: 'glob.glob/2',
  },
  {
    name: 'fs.watch',
    args: [{ name: 'path', type: 'string' }, { name: 'recursive', type: 'boolean' }],
    description: 'A file or directory is watched for changes (a lasting view of its activity, which CPython has no API for).',
    raisedBy: ['fs.watch', 'fs.watchFile', 'fsPromises.watch'],
    since: '20.0.0',
    cpython: null,
  },
] as const satisfies readonly EventSpec[];

/** Public APIs that deliberately raise no event. A test checks that every fs export is here or instrumented. */
export const unauditedApis: readonly UnauditedApi[] = [
  {
    apis: [
      'fs.stat', 'fs.statSync', 'fsPromises.stat', 'fs.lstat', 'fs.lstatSync', 'fsPromises.lstat',
      'fs.fstat', 'fs.fstatSync', 'fs.statfs', 'fs.statfsSync', 'fsPromises.statfs',
      'fs.access', 'fs.accessSync', 'fsPromises.access', 'fs.exists', 'fs.existsSync',
      'fs.realpath', 'fs.realpathSync', 'fsPromises.realpath', 'fs.readlink', 'fs.readlinkSync', 'fsPromises.readlink',
      'filehandle.stat',
    ],
    reason: 'Metadata reads: CPython audits none of os.stat, os.access, os.path.exists, os.path.realpath or os.readlink. '
      + 'They reveal that a path exists and its attributes, not its contents, and module resolution makes thousands of them, '
      + 'so auditing them would bury every other event.',
  },
  {
    apis: [
      'fs.read', 'fs.readSync', 'fs.write', 'fs.writeSync', 'fs.readv', 'fs.readvSync', 'fs.writev', 'fs.writevSync',
      'fs.close', 'fs.closeSync', 'fs.fsync', 'fs.fsyncSync', 'fs.fdatasync', 'fs.fdatasyncSync',
      'filehandle.read', 'filehandle.write', 'filehandle.readFile', 'filehandle.writeFile', 'filehandle.createReadStream',
      'filehandle.createWriteStream', 'filehandle.close',
    ],
    reason: 'Operations on an already open descriptor: the `open` that produced it was audited, as in CPython.',
  },
  {
    apis: ['fs.createReadStream', 'fs.createWriteStream'],
    reason: 'Not wrapped themselves: a stream opens its file through `fs.open`, which raises `open` once, and a hook\'s error becomes the stream\'s \'error\' event.',
  },
  {
    apis: ['fs.unwatchFile', 'fs._toUnixTimestamp'],
    reason: 'unwatchFile ends a watch whose start was audited; _toUnixTimestamp converts a time value and touches nothing.',
  },
];
