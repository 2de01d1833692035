/**
 * Who may run and approve: roles from the AccessPolicy manifest (users, Slack user groups,
 * `everyone`), plus the built-in rule that the incident's commander always counts as `commanders`.
 *
 * Without any AccessPolicy the defaults apply: everyone may run (any role other than `commanders`
 * matches anyone) and only the incident's commander may approve (`commanders` is just them).
 *
 * User group members come from Slack (usergroups.users.list) and are cached per group for `ttlMs`,
 * so a burst of button clicks does not hit Slack's rate limit. A failed lookup is never cached and
 * never throws: that route to the role is denied, and the refusal says why.
 */
import type { AccessPolicy, Catalog } from '../manifests/schema.ts';
import type { Incident } from '../domain/types.ts';
import type { Clock } from '../engine/ports.ts';
import { describeRoles, type RoleView } from './describe.ts';

export type UsergroupMembers = (usergroupId: string) => Promise<string[]>;

export const COMMANDERS = 'commanders';
/** The runbook schema's default `access.run` role; what everyone holds when there is no policy. */
export const DEFAULT_RUN_ROLE = 'responders';
export const DEFAULT_USERGROUP_TTL_MS = 60_000;

export interface AccessDecision {
  ok: boolean;
  /** The role that let the user in. */
  matched?: string;
  needed: string[];
  /** Human text for refusals: who holds the needed roles. */
  who: string;
  /** User group lookups that failed (each denied that route). */
  errors: string[];
}

export interface AccessDeps {
  catalog: () => Catalog;
  usergroupMembers: UsergroupMembers;
  clock: Clock;
  ttlMs?: number;
}

type Role = AccessPolicy['roles'][string];
type Lookup = { ok: true; members: Set<string> } | { ok: false; error: string };

export function createAccess(deps: AccessDeps) {
  const ttlMs = deps.ttlMs ?? DEFAULT_USERGROUP_TTL_MS;
  const cache = new Map<string, { at: number; members: Set<string> }>();
  // Concurrent checks of one group share one Slack call.
  const inflight = new Map<string, Promise<Set<string>>>();

  async function groupMembers(group: string): Promise<Lookup> {
    const hit = cache.get(group);
    if (hit && deps.clock.now() - hit.at < ttlMs) return { ok: true, members: hit.members };
    let pending = inflight.get(group);
    if (!pending) {
      pending = Promise.resolve()
        .then(() => deps.usergroupMembers(group))
        .then((list) => {
          if (!Array.isArray(list)) throw new Error('the member list is not a list');
          const members = new Set(list);
          cache.set(group, { at: deps.clock.now(), members });
          return members;
        })
        .finally(() => inflight.delete(group));
      inflight.set(group, pending);
    }
    try {
      return { ok: true, members: await pending };
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  }

  /** Cheap routes first (no Slack call); user groups only when `withGroups`. */
  async function holds(
    userId: string,
    name: string,
    policy: AccessPolicy | null,
    incident: Incident | null,
    withGroups: boolean,
    errors: Map<string, string>,
  ): Promise<boolean> {
    if (name === COMMANDERS && incident?.commander && incident.commander === userId) return true;
    if (!policy) return name !== COMMANDERS;
    const role: Role | undefined = policy.roles[name];
    if (!role) return false;
    if (role.everyone || role.users.includes(userId)) return true;
    if (!withGroups) return false;
    for (const group of role.usergroups) {
      const r = await groupMembers(group);
      if (!r.ok) errors.set(group, r.error);
      else if (r.members.has(userId)) return true;
    }
    return false;
  }

  function view(name: string, policy: AccessPolicy | null): RoleView {
    if (!policy) return { name, kind: name === COMMANDERS ? 'role' : 'everyone-default' };
    const role = policy.roles[name];
    if (!role) return name === COMMANDERS ? { name, kind: 'role' } : { name, kind: 'undefined' };
    return role.everyone
      ? { name, kind: 'everyone' }
      : { name, kind: 'role', users: role.users, usergroups: role.usergroups };
  }

  return {
    /** Every role the user holds now (for `explain` and the audit log). */
    async rolesOf(userId: string, incident: Incident | null): Promise<string[]> {
      const policy = deps.catalog().access;
      const names = policy ? Object.keys(policy.roles) : [DEFAULT_RUN_ROLE];
      if (!names.includes(COMMANDERS)) names.unshift(COMMANDERS);
      const held: string[] = [];
      const errors = new Map<string, string>();
      for (const name of names) {
        if (await holds(userId, name, policy, incident, true, errors)) held.push(name);
      }
      return held;
    },

    async check(userId: string, roles: string[], incident: Incident | null): Promise<AccessDecision> {
      const policy = deps.catalog().access;
      const errors = new Map<string, string>();
      const decide = (matched?: string): AccessDecision => {
        const errs = [...errors].map(([g, e]) => `could not check members of <!subteam^${g}>: ${e}`);
        const who = describeRoles(
          roles.map((r) => view(r, policy)),
          incident,
          errors,
        );
        return {
          ok: matched !== undefined,
          ...(matched ? { matched } : {}),
          needed: [...roles],
          who,
          errors: errs,
        };
      };
      for (const withGroups of [false, true]) {
        for (const name of roles) {
          if (await holds(userId, name, policy, incident, withGroups, errors)) return decide(name);
        }
      }
      return decide();
    },
  };
}
export type Access = ReturnType<typeof createAccess>;
