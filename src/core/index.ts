// Public surface of the core. Outer layers import from here.
export * from './errors.ts';
export * from './persistence/PersistenceLayer.ts';
