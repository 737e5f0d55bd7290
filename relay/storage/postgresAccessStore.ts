/** AccessStore in PostgreSQL (tables quire_spaces, quire_revocations, quire_members, see postgresSchema.ts). */
import type { Pool } from 'pg';
import type { AccessStore, Member, Role, SpaceAccess } from '../stores.ts';
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
    revoke: (spaceId, id, at) =>
      postgresOperation(`revoking ${id} in ${spaceId}`, async () => {
        await pool.query('INSERT INTO quire_revocations (space_id, id, revoked_at) VALUES ($1, $2, $3) ON CONFLICT (space_id, id) DO NOTHING', [spaceId, id, at]);
      }),
    isRevoked: (spaceId, id) =>
      postgresOperation(`checking revocation of ${id} in ${spaceId}`, async () => {
        const { rowCount } = await pool.query('SELECT 1 FROM quire_revocations WHERE space_id = $1 AND id = $2', [spaceId, id]);
        return rowCount === 1;
      }),
    recordMember: (spaceId, m) =>
      postgresOperation(`recording member ${m.memberId} of ${spaceId}`, async () => {
        await pool.query(
          `INSERT INTO quire_members (space_id, member_id, invite_id, role, name, first_seen_at, last_seen_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (space_id, member_id) DO UPDATE SET name = EXCLUDED.name, last_seen_at = EXCLUDED.last_seen_at`,
          [spaceId, m.memberId, m.inviteId, m.role, m.name, m.firstSeenAt, m.lastSeenAt],
        );
      }),
    listMembers: (spaceId) =>
      postgresOperation(`listing members of ${spaceId}`, async () => {
        const { rows } = await pool.query<MemberRow>(
          'SELECT member_id, invite_id, role, name, first_seen_at, last_seen_at FROM quire_members WHERE space_id = $1 ORDER BY first_seen_at, member_id',
          [spaceId],
        );
        return rows.map(toMember);
      }),
  };
}
