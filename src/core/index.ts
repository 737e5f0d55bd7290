// Public surface of the core. Outer layers import from here.
export * from './errors.ts';
export * from './clock.ts';
export * from './persistence/PersistenceLayer.ts';
export * from './persistence/SecretStore.ts';
export * from './persistence/MemoryLayer.ts';
export * from './persistence/FaultyLayer.ts';
export * from './guard/UpdateGuard.ts';
export * from './manager/SaveStatus.ts';
export * from './manager/DocSync.ts';
export * from './manager/SpaceHandle.ts';
export * from './manager/SpaceManager.ts';
export * from './space/index.ts';
