/** AccessStore in PostgreSQL (tables quire_spaces, quire_revocations, quire_members, see postgresSchema.ts). */
import type { Pool, PoolClient } from 'pg';
import type { AccessStore, Member, MemberCaps, RecordMemberResult, Role, SpaceAccess } from '../stores.ts';
import { postgresOperation } from './postgresFailure.ts';

interface SpaceRow {
  space_id: string;
  public_key: string;
  registered_at: string;
}
interface MemberRow {
  member_id: string;
  invite_id: string;
  role: Role;
  name: string;
  first_seen_at: string;
  last_seen_at: string;
}

const toSpace = (r: SpaceRow): SpaceAccess => ({ spaceId: r.space_id, publicKey: r.public_key, registeredAt: Number(r.registered_at) });
const toMember = (r: MemberRow): Member => ({
  memberId: r.member_id,
  inviteId: r.invite_id,
  role: r.role,
  name: r.name,
  firstSeenAt: Number(r.first_seen_at),
  lastSeenAt: Number(r.last_seen_at),
});

const MEMBER_COLUMNS = 'member_id, invite_id, role, name, first_seen_at, last_seen_at';
const REFRESH = 'UPDATE quire_members SET name = $3, last_seen_at = GREATEST(last_seen_at, $4) WHERE space_id = $1 AND member_id = $2';
const INSERT = `INSERT INTO quire_members (space_id, ${MEMBER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (space_id, member_id) DO UPDATE SET name = EXCLUDED.name, last_seen_at = GREATEST(quire_members.last_seen_at, EXCLUDED.last_seen_at)`;

/**
 * A known member is refreshed in one statement. A new one is counted and inserted in a transaction holding
 * the space's row lock, so concurrent new members of one space (on any node) are counted one after another
 * and no cap is overshot; other spaces are not held up.
 */
async function recordMember(pool: Pool, spaceId: string, m: Member, caps: MemberCaps | null): Promise<RecordMemberResult> {
  const refreshed = await pool.query(REFRESH, [spaceId, m.memberId, m.name, m.lastSeenAt]);
  if (refreshed.rowCount === 1) return 'recorded';
  const values = [spaceId, m.memberId, m.inviteId, m.role, m.name, m.firstSeenAt, m.lastSeenAt];
  if (caps === null) {
    await pool.query(INSERT, values);
    return 'recorded';
  }
  const client: PoolClient = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT 1 FROM quire_spaces WHERE space_id = $1 FOR UPDATE', [spaceId]);
    const result = await countAndInsert(client, spaceId, m, caps, values);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (e) {
    client.release(true); // the transaction may be half done: never hand this connection out again
    throw e;
  }
}

async function countAndInsert(client: PoolClient, spaceId: string, m: Member, caps: MemberCaps, values: unknown[]): Promise<RecordMemberResult> {
  // Another node may have inserted this member while we waited for the lock: then it is known, not new.
  if ((await client.query(REFRESH, [spaceId, m.memberId, m.name, m.lastSeenAt])).rowCount === 1) return 'recorded';
  const perInvite = await client.query<{ n: string }>('SELECT count(*) AS n FROM quire_members WHERE space_id = $1 AND invite_id = $2', [spaceId, m.inviteId]);
  if (Number(perInvite.rows[0]!.n) >= caps.perInvite) return 'invite-full';
  const perSpace = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM quire_members m WHERE m.space_id = $1
     AND NOT EXISTS (SELECT 1 FROM quire_revocations r WHERE r.space_id = m.space_id AND r.kind = 'invite' AND r.id = m.invite_id)`,
    [spaceId],
  );
  if (Number(perSpace.rows[0]!.n) >= caps.perSpace) return 'space-full';
  await client.query(INSERT, values);
  return 'recorded';
}

export function postgresAccessStore(pool: Pool): AccessStore {
  const getSpace = async (spaceId: string): Promise<SpaceAccess | null> => {
    const { rows } = await pool.query<SpaceRow>('SELECT space_id, public_key, registered_at FROM quire_spaces WHERE space_id = $1', [spaceId]);
    return rows[0] ? toSpace(rows[0]) : null;
  };
  return {
    getSpace: (spaceId) => postgresOperation(`reading access of ${spaceId}`, () => getSpace(spaceId)),
    registerSpace: (spaceId, publicKey, at) =>
      postgresOperation(`registering ${spaceId}`, async () => {
        const { rows } = await pool.query<SpaceRow>(
          'INSERT INTO quire_spaces (space_id, public_key, registered_at) VALUES ($1, $2, $3) ON CONFLICT (space_id) DO NOTHING RETURNING space_id, public_key, registered_at',
          [spaceId, publicKey, at],
        );
        if (rows[0]) return toSpace(rows[0]);
        // Someone registered first (maybe a concurrent insert this one waited for): a new statement, a new
        // snapshot, sees their committed row. The first key wins (trust on first use).
        const stored = await getSpace(spaceId);
        if (!stored) throw new Error(`space ${spaceId} was neither inserted nor found`);
        return stored;
      }),
    revoke: (spaceId, kind, id, at) =>
      postgresOperation(`revoking ${kind} ${id} in ${spaceId}`, async () => {
        await pool.query('INSERT INTO quire_revocations (space_id, kind, id, revoked_at) VALUES ($1, $2, $3, $4) ON CONFLICT (space_id, kind, id) DO NOTHING', [spaceId, kind, id, at]);
      }),
    isRevoked: (spaceId, kind, id) =>
      postgresOperation(`checking revocation of ${kind} ${id} in ${spaceId}`, async () => {
        const { rowCount } = await pool.query('SELECT 1 FROM quire_revocations WHERE space_id = $1 AND kind = $2 AND id = $3', [spaceId, kind, id]);
        return rowCount === 1;
      }),
    recordMember: (spaceId, m, caps) => postgresOperation(`recording member ${m.memberId} of ${spaceId}`, () => recordMember(pool, spaceId, m, caps)),
    getMember: (spaceId, memberId) =>
      postgresOperation(`reading member ${memberId} of ${spaceId}`, async () => {
        const { rows } = await pool.query<MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM quire_members WHERE space_id = $1 AND member_id = $2`, [spaceId, memberId]);
        return rows[0] ? toMember(rows[0]) : null;
      }),
    listMembers: (spaceId, { after, limit }) =>
      postgresOperation(`listing members of ${spaceId}`, async () => {
        const { rows } =
          after === null
            ? await pool.query<MemberRow>(`SELECT ${MEMBER_COLUMNS} FROM quire_members WHERE space_id = $1 ORDER BY first_seen_at DESC, member_id DESC LIMIT $2`, [spaceId, limit])
            : await pool.query<MemberRow>(
                `SELECT ${MEMBER_COLUMNS} FROM quire_members WHERE space_id = $1 AND (first_seen_at, member_id) < ($2, $3)
                 ORDER BY first_seen_at DESC, member_id DESC LIMIT $4`,
                [spaceId, after.firstSeenAt, after.memberId, limit],
              );
        return rows.map(toMember);
      }),
  };
}
