import { useEffect, useState, type ReactNode } from 'react';
import type { SpaceSharing } from '../../app/index.ts';
import { JOIN_ROUTE, parseInviteLink, type InviteLinkParts } from '../../protocol/inviteLink.ts';
import { describeError } from '../common/describeError.ts';
import { JoinDialog } from './JoinDialog.tsx';
import { navigate } from '../shell/route.ts';

type Invite = { parts: InviteLinkParts; role: string } | { error: string } | null;

function readHash(): Invite {
  const hash = window.location.hash;
  // The rest of the hash is the invite: it never leaves the browser (a fragment reaches no server).
  if (!hash.startsWith(JOIN_ROUTE)) return null;
  try {
    const parts = parseInviteLink(hash);
    return { parts, role: parts.claims.role };
  } catch (e) {
    return { error: describeError(e instanceof Error ? e : new Error(String(e))) };
  }
}

/**
 * Answers an invite link opened in this tab (`#/join/…`, now or later): the join dialog, then the space.
 * A malformed link says so instead of opening anything.
 */
export function useInvite(sharing: SpaceSharing): { pending: boolean; dialog: ReactNode } {
  const [invite, setInvite] = useState<Invite>(readHash);
  useEffect(() => {
    const onHash = () => setInvite(readHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const leave = () => {
    setInvite(null);
    navigate({ spaceId: null, pageId: null }, { replace: true });
  };
  if (!invite) return { pending: false, dialog: null };
  if ('error' in invite) {
    return {
      pending: true,
      dialog: (
        <div className="dialog-backdrop">
          <div role="alertdialog" aria-modal="true" aria-label="Invite link" className="dialog">
            <p role="alert">This invite link cannot be used: {invite.error}</p>
            <div className="dialog-actions">
              <button type="button" className="primary" onClick={leave}>
                Close
              </button>
            </div>
          </div>
        </div>
      ),
    };
  }
  const { parts, role } = invite;
  return {
    pending: true,
    dialog: (
      <JoinDialog
        spaceName={parts.spaceName || 'a shared space'}
        role={role}
        relayUrl={parts.relayUrl}
        onCancel={leave}
        onJoin={async (name) => {
          const spaceId = await sharing.join(parts, role === 'viewer' ? 'viewer' : 'editor', name);
          setInvite(null);
          navigate({ spaceId, pageId: null }, { replace: true });
        }}
      />
    ),
  };
}
