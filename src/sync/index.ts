// Public surface of the two-way layers between tabs. The composition root (LocalWorkspace / the UI) claims
// one TabPresence per tab and adds a TabChannelLayer factory next to the IndexedDB layer.
export * from './tabs/TabChannelLayer.ts';
export * from './tabs/TabMessage.ts';
export * from './tabs/TabPresence.ts';
export * from './tabs/TabLocks.ts';
export * from './tabs/BrowserTabLocks.ts';
export * from './tabs/InProcessTabLocks.ts';
export * from './tabs/DomainEventChannel.ts';
