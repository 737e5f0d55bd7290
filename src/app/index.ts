// What the UI may use of the app wing: the composition root and the types its screens read. The UI imports
// storage and sync only through here (and rows through src/collections), so sync is wired in one place.
export { BrowserWorkspace } from './BrowserWorkspace.ts';
export type { LocalWorkspace } from './LocalWorkspace.ts';
export type { SpaceStores, StorageUpgradeState } from './SpaceStores.ts';
export type { SpaceSharing, SpaceSyncView, SpacePresence } from './SpaceSharing.ts';
export type { SentInvite, SyncRole, SyncSettings } from './syncSecrets.ts';
export { MemberCommandError, type MemberInfo, type MemberPage } from '../sync/relay/memberCommands.ts';
export type { DomainEventChannel } from '../sync/index.ts';
export type { DatabaseSignal } from '../storage/db/index.ts';
export { measureSpaceStorage, type SpaceStorage } from './measureSpaceStorage.ts';
