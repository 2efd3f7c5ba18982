/**
 * The policy file's JSON Schema: ajv validates against it before the semantic checks, and
 * `npm run docs` publishes it as schema/policy.schema.json for editors (the catalogue's event
 * names are its completions for `event`).
 */
import { events } from '../catalogue/index.js';

const glob = {
  type: 'string',
  minLength: 1,
  description: 'A glob: * (not across /), ** (across /; a whole segment also matches none), ?, {a,b}, \\c for a literal c.',
} as const;

export const policySchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'audithook policy',
  description: 'Which audit events a program and each of its npm packages may raise. The first rule that fits an event decides; otherwise `default`. See docs/policy.md.',
  type: 'object',
  additionalProperties: false,
  required: ['default', 'rules'],
  properties: {
    $schema: { type: 'string', description: 'The JSON Schema this file follows, for editors.' },
    default: { enum: ['allow', 'deny'], description: 'The decision for an event no rule fits.' },
    mode: {
      enum: ['enforce', 'report'],
      default: 'enforce',
      description: 'enforce: a denied operation fails with ERR_ACCESS_DENIED. report: nothing is blocked, the log says what would have been denied.',
    },
    frameworks: {
      type: 'array',
      uniqueItems: true,
      items: { ...glob, description: 'An npm package name or glob: "express", "@nestjs/*".' },
      description: 'Packages that call the application\'s and other packages\' code (routers, test runners, task runners): where such code ran inside a call of theirs on the way to an event, they are not decided for it. Their own work is. See docs/policy.md.',
    },
    rules: {
      type: 'array',
      description: 'In order: the first rule that fits an event decides.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['event', 'action'],
        properties: {
          event: {
            ...glob,
            description: 'An event name from the catalogue (docs/events.md) or a glob over them, e.g. "os.*".',
            examples: events.map((event) => event.name),
          },
          package: {
            type: ['string', 'null'],
            minLength: 1,
            description: 'An npm package name or glob; "*" is any package (and code of unknown origin). null: the application\'s own code only. Absent: the rule applies to the application and every package.',
          },
          match: {
            type: 'object',
            description: 'Argument name (from the catalogue) -> glob or list of globs; every entry must match. Relative paths are relative to this file; ~, ${HOME}, ${PROJECT} (where audithook run runs), ${TMPDIR} and ${NPM_CACHE} are the directories of the run, ${NODE} its Node executable, ${NPM} the folder of its npm and ${NPM_GLOBALCONFIG} the global .npmrc of that npm.',
            minProperties: 1,
            additionalProperties: { type: ['string', 'array'], minLength: 1, minItems: 1, items: glob },
          },
          action: { enum: ['allow', 'deny'] },
        },
      },
    },
  },
} as const;
