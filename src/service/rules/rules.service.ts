import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BadRequestException,
  ConflictException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  type OnModuleInit,
  UnprocessableEntityException,
} from '@nestjs/common';
import { type Rule, type RuleError, validateRule } from '../../rules/index.js';
import type { Caller } from '../common/api-key.guard.js';
import { SERVICE_CONFIG } from '../config/config.module.js';
import type { ServiceConfig } from '../config/service-config.js';
import { ServiceMetrics } from '../metrics/service-metrics.js';
import { DRY_RUN_MAX_EVENTS, DryRunFailedError, type DryRunResult } from './dry-run.js';
import { DryRunBusyError, DryRunRunner } from './dry-run-runner.js';
import type { RuleRecord } from './rule-record.js';
import { RULE_STORE, type RuleStore, RuleVersionConflictError } from './rule-store.js';

/**
 * The 400 body for an invalid request: every error with its JSON Pointer, under `message` (what
 * was refused: `invalid rule` by default, `invalid status change`, …).
 *
 * @example
 * ```ts
 * throw invalidRule([{ path: '/stages/0/condition', message: 'Unexpected token' }]);
 * throw invalidRule([{ path: '/status', message: 'must be "active" or "paused"' }], 'invalid status change');
 * ```
 */
export function invalidRule(errors: readonly RuleError[], message = 'invalid rule'): BadRequestException {
  return new BadRequestException({ statusCode: 400, message, errors });
}

/**
 * A stored rule as create and replace answer it: the rule, with the validation `warnings`
 * (`[{ path, message }]`, JSON Pointers in the rule) when there are any. The warnings are not
 * stored.
 *
 * @example
 * ```ts
 * const r: RuleWithWarnings = { ...rule, warnings: [{ path: '/alert/message', message: 'placeholder {{payot.amount}} …' }] };
 * ```
 */
export type RuleWithWarnings = Rule & { readonly warnings?: readonly RuleError[] };

/** What an audit line says was done to a rule. */
type RuleAction = 'created' | 'updated' | 'status' | 'deleted';

/**
 * Rule management over the {@link RuleStore}: validation, optimistic concurrency (versions are
 * monotonic per id; a replacement must carry the stored version + 1), status changes and deletions
 * as new versions, dry runs. Writes are serialized so a version check and its append are atomic.
 * Loads the example rules (`rules/*.json`) into an empty store at startup.
 *
 * @example
 * ```ts
 * await rules.create(json);           // 201, or 400 / 409
 * await rules.replace('r', { ...json, version: 2 });
 * ```
 */
/**
 * One version of a rule in `GET /rules/:id/versions`: when it was written, and the rule (absent
 * for a deletion).
 *
 * @example
 * ```ts
 * const v: RuleVersionEntry = { version: 2, at: 1767261600000, status: 'paused', rule };
 * ```
 */
export interface RuleVersionEntry {
  readonly version: number;
  readonly at: number;
  readonly status?: Rule['status'];
  readonly deleted?: true;
  readonly rule?: Rule;
}

@Injectable()
export class RulesService implements OnModuleInit {
  private readonly logger = new Logger('RulesService');
  private readonly audit = new Logger('Audit');
  private queue: Promise<unknown> = Promise.resolve();
  /** Dry runs in worker threads (dry-run-runner.ts), stopped after `DRY_RUN_TIMEOUT_MS`. */
  private readonly dryRuns: DryRunRunner;

  constructor(
    @Inject(RULE_STORE) private readonly store: RuleStore,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    metrics: ServiceMetrics,
  ) {
    this.dryRuns = new DryRunRunner({ timeoutMs: config.dryRunTimeoutMs });
    metrics.onCollect(() => metrics.rulesActive.set(this.activeCount()));
    if (this.dryRuns.mode === 'in-process') {
      this.logger.warn(
        'no compiled dry-run worker (running from TypeScript sources): dry runs run on the main thread',
      );
    }
  }

  async onModuleInit(): Promise<void> {
    if (this.store.snapshot().size > 0 || !this.config.loadExampleRules) return;
    let files: string[];
    try {
      files = readdirSync(this.config.rulesDir).filter((f) => f.endsWith('.json') && f !== 'schema.json');
    } catch {
      this.logger.warn(`no example rules: cannot read ${this.config.rulesDir}`);
      return;
    }
    let loaded = 0;
    for (const file of files.sort()) {
      const v = validateRule(JSON.parse(readFileSync(join(this.config.rulesDir, file), 'utf8')) as unknown);
      if (!v.ok) {
        this.logger.warn(`example rule ${file} is invalid: ${JSON.stringify(v.errors)}`);
        continue;
      }
      try {
        await this.store.append({ id: v.rule.id, version: v.rule.version, at: Date.now(), rule: v.rule });
        loaded++;
      } catch (e) {
        // Another replica, booting at the same time, loaded it first.
        if (!(e instanceof RuleVersionConflictError)) throw e;
      }
    }
    this.logger.log(`loaded ${loaded} example rules from ${this.config.rulesDir}`);
  }

  /**
   * Validates without saving: the rule and its warnings (when any), or the errors.
   * @example `rules.validate(json).valid`
   */
  validate(
    json: unknown,
  ):
    | { valid: true; rule: Rule; warnings?: readonly RuleError[] }
    | { valid: false; errors: readonly RuleError[] } {
    const v = validateRule(json);
    if (!v.ok) return { valid: false, errors: v.errors };
    return v.warnings === undefined
      ? { valid: true, rule: v.rule }
      : { valid: true, rule: v.rule, warnings: v.warnings };
  }

  /**
   * Creates a rule whose id is new (or was deleted at a lower version); `caller` is named in the
   * audit log. @example `await rules.create(json, 'admin')`
   */
  create(json: unknown, caller: Caller = 'none'): Promise<RuleWithWarnings> {
    return this.audited('created', idOf(json), versionOf(json), caller, () => this.doCreate(json));
  }

  private doCreate(json: unknown): Promise<RuleWithWarnings> {
    const { rule, warnings } = this.parse(json);
    return this.serialized(async () => {
      const current = this.store.get(rule.id);
      if (current !== undefined && current.deleted !== true) {
        throw new ConflictException({
          statusCode: 409,
          message: `rule "${rule.id}" already exists at version ${current.version}; replace it with PUT /rules/${rule.id}`,
          currentVersion: current.version,
        });
      }
      if (current !== undefined && rule.version <= current.version) {
        throw new ConflictException({
          statusCode: 409,
          message: `rule "${rule.id}" was deleted at version ${current.version}; recreate it with a higher version`,
          currentVersion: current.version,
        });
      }
      await this.write(rule);
      return withWarnings(rule, warnings);
    });
  }

  /**
   * Replaces a rule; `json.version` must be the stored version + 1. Answers the rule with its
   * warnings, as {@link create}. @example `await rules.replace('r', json, 'admin')`
   */
  replace(id: string, json: unknown, caller: Caller = 'none'): Promise<RuleWithWarnings> {
    return this.audited('updated', id, versionOf(json), caller, () => this.doReplace(id, json));
  }

  private doReplace(id: string, json: unknown): Promise<RuleWithWarnings> {
    const { rule, warnings } = this.parse(json);
    if (rule.id !== id)
      throw invalidRule([{ path: '/id', message: `must equal the id in the URL ("${id}")` }]);
    return this.serialized(async () => {
      const current = this.live(id);
      this.expectVersion(current, rule.version);
      await this.write(rule);
      return withWarnings(rule, warnings);
    });
  }

  /**
   * Pauses or resumes a rule (a new version). `ifVersion`, when given, must be the stored version.
   *
   * @example
   * ```ts
   * await rules.setStatus('r', 'paused', 3, 'admin'); // stored as version 4
   * ```
   */
  setStatus(id: string, status: unknown, ifVersion?: number, caller: Caller = 'none'): Promise<Rule> {
    return this.audited('status', id, undefined, caller, () => this.doSetStatus(id, status, ifVersion));
  }

  private doSetStatus(id: string, status: unknown, ifVersion: number | undefined): Promise<Rule> {
    if (status !== 'active' && status !== 'paused') {
      throw invalidRule(
        [{ path: '/status', message: 'must be "active" or "paused"' }],
        'invalid status change',
      );
    }
    return this.serialized(async () => {
      const current = this.live(id);
      this.expectCurrent(current, ifVersion);
      const rule = { ...current.rule!, status, version: current.version + 1 } as Rule;
      await this.write(rule);
      return rule;
    });
  }

  /** Deletes a rule (a tombstone at the next version). @example `await rules.delete('r', undefined, 'admin')` */
  delete(id: string, ifVersion?: number, caller: Caller = 'none'): Promise<{ id: string; version: number }> {
    return this.audited('deleted', id, undefined, caller, () => this.doDelete(id, ifVersion));
  }

  private doDelete(id: string, ifVersion: number | undefined): Promise<{ id: string; version: number }> {
    return this.serialized(async () => {
      const current = this.live(id);
      this.expectCurrent(current, ifVersion);
      const version = current.version + 1;
      await this.append({ id, version, at: Date.now(), deleted: true });
      return { id, version };
    });
  }

  /** The current version of a rule, or 404. @example `rules.get('r')` */
  get(id: string): Rule {
    return this.live(id).rule!;
  }

  /**
   * The versions of a rule this replica has read, newest first (deletions included); 404 when
   * it has none. @example `rules.versions('card-testing')[0].version`
   */
  versions(id: string): RuleVersionEntry[] {
    const history = this.store.history(id);
    if (history.length === 0) throw new NotFoundException({ statusCode: 404, message: `no rule "${id}"` });
    return history.map((r) =>
      r.deleted === true || r.rule === undefined
        ? { version: r.version, at: r.at, deleted: true }
        : { version: r.version, at: r.at, status: r.rule.status, rule: r.rule },
    );
  }

  /** Every rule (not deleted), by id; optionally only one status. @example `rules.list('active')` */
  list(status?: string): Rule[] {
    const out: Rule[] = [];
    for (const r of this.store.snapshot().values()) {
      if (r.deleted === true || r.rule === undefined) continue;
      if (status !== undefined && r.rule.status !== status) continue;
      out.push(r.rule);
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Active rules. @example `rules.activeCount()` */
  activeCount(): number {
    let n = 0;
    for (const r of this.store.snapshot().values())
      if (r.deleted !== true && r.rule?.status === 'active') n++;
    return n;
  }

  /**
   * Runs a posted rule (`{ rule, events }`) or a stored one (`{ ruleId, events }`) over sample
   * events on a throwaway job, in a worker thread ({@link DryRunRunner}): a bounded
   * {@link DryRunResult} with the rule's validation `warnings` if any (checked against the sample
   * events too: placeholders and `fields` no sample has, a threshold `field` carried as a string);
   * 400 labelled by what was wrong (`invalid dry-run request`, `invalid rule`, `invalid events`);
   * 422 when the dry run takes longer than `DRY_RUN_TIMEOUT_MS` or runs out of memory; 429 when
   * too many are running.
   *
   * @example
   * ```ts
   * await rules.dryRun({ ruleId: 'card-testing', events: [...] });
   * ```
   */
  async dryRun(
    body: unknown,
  ): Promise<DryRunResult & { rule: { id: string; version: number }; warnings?: readonly RuleError[] }> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw invalidRule(
        [{ path: '', message: 'must be an object with "rule" or "ruleId", and "events"' }],
        'invalid dry-run request',
      );
    }
    const b = body as { rule?: unknown; ruleId?: unknown; events?: unknown };
    // Sample events for the warnings, when they are what they must be (else refused below).
    const exampleEvents =
      Array.isArray(b.events) && b.events.length <= DRY_RUN_MAX_EVENTS ? (b.events as unknown[]) : undefined;
    let v: ReturnType<typeof validateRule>;
    if (b.rule !== undefined) {
      v = validateRule(b.rule, { exampleEvents });
    } else if (typeof b.ruleId === 'string') {
      // A stored rule was valid when stored; the limits (condition cost) may have changed since.
      v = validateRule(this.get(b.ruleId), { exampleEvents });
    } else {
      throw invalidRule(
        [{ path: '', message: 'needs "rule" (a rule document) or "ruleId" (a stored rule)' }],
        'invalid dry-run request',
      );
    }
    const atRule = (e: RuleError): RuleError => ({ path: `/rule${e.path}`, message: e.message });
    if (!v.ok) throw invalidRule(v.errors.map(atRule));
    const rule = v.rule;
    // Paths in the rule, like those of conditionErrorDetails (errors are paths in the request body).
    const warnings = v.warnings;
    if (!Array.isArray(b.events))
      throw invalidRule([{ path: '/events', message: 'must be an array of events' }], 'invalid events');
    if (b.events.length > DRY_RUN_MAX_EVENTS) {
      throw invalidRule(
        [{ path: '/events', message: `at most ${DRY_RUN_MAX_EVENTS} events` }],
        'invalid events',
      );
    }
    let result: DryRunResult;
    try {
      result = await this.dryRuns.run(rule, b.events);
    } catch (e) {
      if (e instanceof DryRunFailedError)
        throw new UnprocessableEntityException({ statusCode: 422, message: e.message });
      if (e instanceof DryRunBusyError) {
        throw new HttpException(
          { statusCode: HttpStatus.TOO_MANY_REQUESTS, message: e.message },
          HttpStatus.TOO_MANY_REQUESTS,
        );
      }
      throw e;
    }
    return {
      rule: { id: rule.id, version: rule.version },
      ...result,
      ...(warnings === undefined ? {} : { warnings }),
    };
  }

  private parse(json: unknown): { rule: Rule; warnings: readonly RuleError[] | undefined } {
    const v = validateRule(json);
    if (!v.ok) throw invalidRule(v.errors);
    return { rule: v.rule, warnings: v.warnings };
  }

  /**
   * Runs a rule change and writes its audit line (logger context `Audit`): the action, the rule
   * id, the version written (or the one asked for, when refused), who asked (`admin`, `read`,
   * `none`) and the outcome (`ok`, or `rejected` with the HTTP status and reason).
   */
  private async audited<T extends { version: number }>(
    action: RuleAction,
    ruleId: string | undefined,
    requestedVersion: number | undefined,
    caller: Caller,
    change: () => Promise<T>,
  ): Promise<T> {
    try {
      const result = await change();
      this.audit.log({ audit: 'rule', action, ruleId, version: result.version, by: caller, outcome: 'ok' });
      return result;
    } catch (e) {
      const http = e instanceof HttpException ? e : undefined;
      const body = http?.getResponse() as { errors?: unknown } | undefined;
      this.audit.log({
        audit: 'rule',
        action,
        ruleId,
        version: requestedVersion,
        by: caller,
        outcome: 'rejected',
        status: http?.getStatus() ?? 500,
        reason: e instanceof Error ? e.message : String(e),
        ...(typeof body === 'object' && body?.errors !== undefined ? { errors: body.errors } : {}),
      });
      throw e;
    }
  }

  private live(id: string): RuleRecord {
    const current = this.store.get(id);
    if (current === undefined || current.deleted === true || current.rule === undefined) {
      throw new NotFoundException({ statusCode: 404, message: `no rule "${id}"` });
    }
    return current;
  }

  private expectVersion(current: RuleRecord, version: number): void {
    if (version !== current.version + 1) {
      throw new ConflictException({
        statusCode: 409,
        message: `stale version: rule "${current.id}" is at version ${current.version}, so a replacement must carry version ${current.version + 1} (got ${version})`,
        currentVersion: current.version,
      });
    }
  }

  private expectCurrent(current: RuleRecord, ifVersion: number | undefined): void {
    if (ifVersion !== undefined && ifVersion !== current.version) {
      throw new ConflictException({
        statusCode: 409,
        message: `stale version: rule "${current.id}" is at version ${current.version}, not ${ifVersion}`,
        currentVersion: current.version,
      });
    }
  }

  private write(rule: Rule): Promise<void> {
    return this.append({ id: rule.id, version: rule.version, at: Date.now(), rule });
  }

  /** Appends to the store; a concurrent write of the same version by another replica is a 409. */
  private async append(record: RuleRecord): Promise<void> {
    try {
      await this.store.append(record);
    } catch (e) {
      if (!(e instanceof RuleVersionConflictError)) throw e;
      throw new ConflictException({
        statusCode: 409,
        message: `stale version: ${e.message}`,
        currentVersion: e.currentVersion,
      });
    }
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** `rule`, with `warnings` when there are any. */
function withWarnings(rule: Rule, warnings: readonly RuleError[] | undefined): RuleWithWarnings {
  return warnings === undefined || warnings.length === 0 ? rule : { ...rule, warnings };
}

/** The `id` of a posted rule document, when it has a string one. */
function idOf(json: unknown): string | undefined {
  const id = (json as { id?: unknown } | null)?.id;
  return typeof json === 'object' && typeof id === 'string' ? id : undefined;
}

/** The `version` of a posted rule document, when it has a numeric one. */
function versionOf(json: unknown): number | undefined {
  const v = (json as { version?: unknown } | null)?.version;
  return typeof json === 'object' && typeof v === 'number' ? v : undefined;
}
