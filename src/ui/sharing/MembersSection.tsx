import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import type { MemberInfo, MemberPage } from '../../app/index.ts';
import { isRelayMemberId, relayMemberId } from '../../protocol/relayMemberId.ts';
import type { SentInvite } from '../../app/index.ts';
import { ConfirmDialog } from '../common/ConfirmDialog.tsx';
import { describeError } from '../common/describeError.ts';

const WHEN = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export interface LocalAccess {
  readonly invites: readonly SentInvite[];
  readonly revokedMembers: Readonly<Record<string, number>>;
}

type Pending = { kind: 'member'; member: MemberInfo } | { kind: 'invite'; invite: SentInvite };

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

const roleWord = (role: string) => (role === 'owner' ? 'Owner' : role === 'editor' ? 'Editor' : 'Viewer');
const nameOf = (m: MemberInfo) => m.name.trim() || 'Unnamed device';

/**
 * The owner's view of who has access (inside "Share"): the members the relay has seen, each revocable, and
 * the invites created on this device, each revocable. Every revoke is confirmed first, and both lists are
 * read again after it. Revoking ends that device's sync at once; what it has stays on it (its edits too).
 *
 * The relay lists revoked members as well (its list has no revoked flag), so a member is shown revoked when
 * this device revoked it or the invite it joined with.
 *
 * The relay lists members under its own ids (relayMemberId.ts), a page at a time, the most recently joined
 * first: "Show more members" reads the next page. This device is the member whose id the relay derives from
 * its invite and this device's own member id.
 */
export function MembersSection({
  selfMemberId,
  refreshKey,
  listMembers,
  loadLocal,
  revoke,
}: {
  /** This device's own member id, as in its relay token ("this device" in the list). */
  selfMemberId: string;
  /** Changes when an invite was created here (the invite list is read again). */
  refreshKey: number;
  /** One page of members: the first without a cursor, then each page's `next`. */
  listMembers: (cursor?: string | null) => Promise<MemberPage>;
  loadLocal: () => Promise<LocalAccess>;
  revoke: (what: { memberId: string } | { inviteId: string }) => Promise<void>;
}) {
  const membersId = useId();
  const invitesId = useId();
  const [members, setMembers] = useState<MemberInfo[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [local, setLocal] = useState<LocalAccess>({ invites: [], revokedMembers: {} });
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [pending, setPending] = useState<Pending | null>(null);

  const refresh = useCallback(() => {
    let live = true;
    setLoading(true);
    setError(null);
    Promise.all([listMembers(), loadLocal()]).then(
      ([page, l]) => {
        if (!live) return;
        setMembers(page.members);
        setNext(page.next);
        setLocal(l);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setLoading(false);
        setError(describeError(asError(e)));
        // The invites are this device's own: shown even when the relay cannot be asked.
        loadLocal().then((l) => live && setLocal(l), () => undefined);
      },
    );
    return () => {
      live = false;
    };
  }, [listMembers, loadLocal]);

  useEffect(() => refresh(), [refresh, refreshKey]);

  const showMore = () => {
    if (next === null) return;
    setLoadingMore(true);
    setError(null);
    listMembers(next).then(
      (page) => {
        // A member already shown (the list changed between pages) is not shown twice.
        setMembers((shown) => {
          const ids = new Set((shown ?? []).map((m) => m.memberId));
          return [...(shown ?? []), ...page.members.filter((m) => !ids.has(m.memberId))];
        });
        setNext(page.next);
        setLoadingMore(false);
      },
      (e: unknown) => {
        setLoadingMore(false);
        setError(describeError(asError(e)));
      },
    );
  };

  const revokedInvites = new Set(local.invites.filter((i) => i.revokedAt !== null).map((i) => i.inviteId));
  // Members revoked from this device before the relay derived member ids were remembered by the device's own
  // id: recognise them through the same derivation.
  const legacyRevoked = useMemo(() => Object.keys(local.revokedMembers).filter((id) => !isRelayMemberId(id)), [local.revokedMembers]);
  const isRevoked = (m: MemberInfo) =>
    m.memberId in local.revokedMembers || revokedInvites.has(m.inviteId) || legacyRevoked.some((id) => relayMemberId(m.inviteId, id) === m.memberId);
  const now = Date.now();

  const confirm = async () => {
    if (!pending) return;
    await revoke(pending.kind === 'member' ? { memberId: pending.member.memberId } : { inviteId: pending.invite.inviteId });
    setPending(null);
    refresh();
  };

  return (
    <section className="share-members" aria-labelledby={membersId}>
      <h3 id={membersId}>Members</h3>
      {members === null && loading && <p className="dialog-hint">Asking the relay who has access…</p>}
      {error && (
        <p role="alert">
          Could not list the members: {error}{' '}
          <button type="button" onClick={refresh} disabled={loading}>
            Try again
          </button>
        </p>
      )}
      {members !== null && (
        <ul aria-labelledby={membersId} className="share-list">
          {members.map((m) => {
            const revoked = isRevoked(m);
            const self = selfMemberId !== '' && m.memberId === relayMemberId(m.inviteId, selfMemberId);
            return (
              <li key={m.memberId} aria-label={nameOf(m)}>
                <span className="share-list-main">
                  <strong>{nameOf(m)}</strong> · {roleWord(m.role)}
                  {self && ' · this device'}
                </span>
                <span className="dialog-hint">
                  joined {WHEN.format(m.firstSeenAt)} · last seen {WHEN.format(m.lastSeenAt)}
                </span>
                {revoked ? (
                  <span className="share-list-state">Revoked</span>
                ) : (
                  m.role !== 'owner' && (
                    <button type="button" aria-label={`Revoke ${nameOf(m)}`} onClick={() => setPending({ kind: 'member', member: m })}>
                      Revoke
                    </button>
                  )
                )}
              </li>
            );
          })}
        </ul>
      )}
      {members !== null && next !== null && (
        <button type="button" onClick={showMore} disabled={loadingMore || loading}>
          Show more members
        </button>
      )}
      <button type="button" onClick={refresh} disabled={loading}>
        Refresh members
      </button>

      <h3 id={invitesId}>Invites created on this device</h3>
      {local.invites.length === 0 ? (
        <p className="dialog-hint">None yet.</p>
      ) : (
        <ul aria-labelledby={invitesId} className="share-list">
          {local.invites.map((i) => {
            const expired = i.expiresAt !== null && i.expiresAt <= now;
            const used = members?.filter((m) => m.inviteId === i.inviteId).length ?? 0;
            const label = `${roleWord(i.role)} invite created ${WHEN.format(i.createdAt)}`;
            return (
              <li key={i.inviteId} aria-label={label}>
                <span className="share-list-main">
                  <strong>{roleWord(i.role)}</strong> · created {WHEN.format(i.createdAt)}
                </span>
                <span className="dialog-hint">
                  {i.expiresAt === null ? 'never expires' : `${expired ? 'expired' : 'expires'} ${WHEN.format(i.expiresAt)}`}
                  {members !== null && ` · joined by ${used === 1 ? '1 device' : `${used} devices`}`}
                </span>
                {i.revokedAt !== null ? (
                  <span className="share-list-state">Revoked {WHEN.format(i.revokedAt)}</span>
                ) : (
                  <button type="button" aria-label="Revoke invite" onClick={() => setPending({ kind: 'invite', invite: i })}>
                    Revoke invite
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}

      {pending && (
        <ConfirmDialog
          title={pending.kind === 'member' ? `Revoke ${nameOf(pending.member)}?` : 'Revoke this invite?'}
          text={
            pending.kind === 'member'
              ? `${nameOf(pending.member)} stops syncing at once and cannot sync this space again from that device. What is already on their device stays there. Whoever still has the invite link can join again as a new device: revoke the invite to stop that.`
              : 'Nobody can join with this link any more, and every device that joined with it stops syncing at once. What is already on those devices stays there.'
          }
          confirmLabel="Revoke"
          onConfirm={confirm}
          onCancel={() => setPending(null)}
        />
      )}
    </section>
  );
}
