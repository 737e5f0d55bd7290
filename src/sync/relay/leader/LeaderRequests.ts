/**
 * Owner commands (list members, revoke a member or an invite) from a follower tab, which has no relay
 * layer: it asks the leader ('request'), which runs the command with its relay layer (memberCommands.ts)
 * and answers ('reply', to that tab, same id). Both sides live here: `LeaderRequests` (the asking follower)
 * and `runOwnerCommand` (the leader).
 */
import { ErrorCode, QuireError } from '../../../core/errors.ts';
import { listMembers, MEMBER_COMMAND_TIMEOUT_MS, MemberCommandError, revokeInvite, revokeMember, type AccessChannel } from '../memberCommands.ts';
import type { OwnerCommand, OwnerCommandResult, ReplyMessage } from './RelayLeaderMessage.ts';

/**
 * How long a follower waits for the leader's reply: the leader's own wait for the relay
 * (MEMBER_COMMAND_TIMEOUT_MS) plus 5 s for the tabs (a busy leader tab, a handover in between).
 */
export const LEADER_REQUEST_TIMEOUT_MS = MEMBER_COMMAND_TIMEOUT_MS + 5_000;

type OkResult = Extract<OwnerCommandResult, { ok: true }>;

interface Pending {
  resolve: (r: OkResult) => void;
  reject: (e: MemberCommandError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** A follower's commands waiting for the leader's reply. */
export class LeaderRequests {
  private readonly pending = new Map<string, Pending>();
  private next = 0;

  constructor(
    private readonly tabId: string,
    private readonly post: (id: string, spaceId: string, command: OwnerCommand) => void,
    private readonly timeoutMs = LEADER_REQUEST_TIMEOUT_MS,
  ) {}

  /** Asks the leader to run `command`. Rejects with a MemberCommandError: the leader's or the relay's
   * refusal, 'closed' when the leader does not sync this space, or 'timeout' when no tab answered. */
  ask(spaceId: string, command: OwnerCommand): Promise<OkResult> {
    const id = `${this.tabId}-${++this.next}`;
    return new Promise<OkResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new MemberCommandError(ErrorCode.Timeout, `The tab holding the relay connection did not answer within ${Math.round(this.timeoutMs / 1000)} s; try again`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.post(id, spaceId, command);
    });
  }

  receive(reply: ReplyMessage): void {
    if (reply.to !== this.tabId) return;
    const p = this.pending.get(reply.id);
    if (!p) return; // timed out meanwhile
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    const r = reply.result;
    if (r.ok) p.resolve(r);
    else p.reject(new MemberCommandError(r.code, r.message));
  }

  /** The tab is closing: nothing will answer. */
  close(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new MemberCommandError(ErrorCode.Closed, 'This tab stopped syncing'));
    }
    this.pending.clear();
  }
}

/** The leader's side: runs a follower's command with its relay layer; every failure becomes a result. */
export async function runOwnerCommand(layer: AccessChannel, command: OwnerCommand): Promise<OwnerCommandResult> {
  try {
    switch (command.op) {
      case 'list-members': {
        const page = await listMembers(layer, { cursor: command.cursor });
        return page.next === null ? { ok: true, members: page.members } : { ok: true, members: page.members, next: page.next };
      }
      case 'revoke-member':
        await revokeMember(layer, command.memberId);
        return { ok: true };
      case 'revoke-invite':
        await revokeInvite(layer, command.inviteId);
        return { ok: true };
    }
  } catch (e) {
    // Untyped: the command did not get through to the relay (memberCommands types everything it reaches).
    return { ok: false, code: e instanceof QuireError ? e.code : ErrorCode.Unreachable, message: e instanceof Error ? e.message : String(e) };
  }
}
