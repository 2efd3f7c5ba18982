/**
 * `audithook policy check FILE [--project DIR]`: the findings of src/policy/check.ts, one located
 * line each on stdout (`file:line:column: error: rules[3].package: ...`), then a count. Exit 2
 * when there is an error, 0 otherwise (warnings only, or nothing to say).
 */
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkPolicy } from '../policy/check.js';
import type { Finding } from '../policy/check.js';
import { PolicyError } from '../policy/index.js';
import { policyVariables } from '../policy/variables.js';
import { EXIT, cannotRead, plural, printable } from './output.js';

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * The names of the packages installed under `project`'s node_modules, nested ones and pnpm's
 * store (`.pnpm/<id>/node_modules/<name>`) included: the directory names attribution gives
 * (docs/cli.md, Attribution). Null when there is no node_modules: nothing is installed yet.
 */
export function installedPackages(project: string): Set<string> | null {
  const top = join(project, 'node_modules');
  if (!existsSync(top)) return null;
  const names = new Set<string>();
  const visited = new Set<string>();
  const visit = (nodeModules: string): void => {
    let real: string;
    try {
      real = realpathSync(nodeModules);
    } catch {
      return;
    }
    // Links (workspaces, pnpm) can lead back to a tree already read.
    if (visited.has(real)) return;
    visited.add(real);
    for (const entry of entries(nodeModules)) {
      if (entry === '.pnpm') {
        for (const id of entries(join(nodeModules, entry))) visit(join(nodeModules, entry, id, 'node_modules'));
      } else if (entry.startsWith('@')) {
        for (const name of entries(join(nodeModules, entry))) {
          names.add(`${entry}/${name}`);
          visit(join(nodeModules, entry, name, 'node_modules'));
        }
      } else if (!entry.startsWith('.')) {
        names.add(entry);
        visit(join(nodeModules, entry, 'node_modules'));
      }
    }
  };
  visit(top);
  return names;
}

function findingLine(finding: Finding): string {
  return `${printable(finding.location)}: ${finding.severity}: ${printable(finding.message)}\n`;
}

export function runPolicyCheck(file: string, options: { project?: string }): number {
  const project = resolve(options.project ?? '.');
  const installed = installedPackages(project);
  let findings: Finding[];
  try {
    findings = checkPolicy(file, { installed, variables: policyVariables(project) });
  } catch (error) {
    if (error instanceof PolicyError) throw cannotRead('the policy', file, error.cause);
    throw error;
  }
  for (const finding of findings) process.stdout.write(findingLine(finding));
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  const counts = findings.length === 0 ? 'no problems' : `${plural(errors, 'error')}, ${plural(findings.length - errors, 'warning')}`;
  const unchecked = installed === null ? `; package names not checked: no node_modules in ${project}` : '';
  process.stdout.write(`${printable(`${file}: ${counts}${unchecked}`)}\n`);
  return errors > 0 ? EXIT.USAGE : EXIT.OK;
}
