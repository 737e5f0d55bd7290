/**
 * The checks only a local store runs (beside runPersistenceLayerContract, with the same harness): listing,
 * deleting, setting aside and destroying what it holds; and the checks of a local store that also keeps
 * the space's secrets.
 */
import { describe, expect, it } from 'vitest';
import type { LocalStore } from '../persistence/PersistenceLayer.ts';
import type { SecretStore } from '../persistence/SecretStore.ts';
import { layerTracker, textOf, typingUpdates, type ContractHarness } from './persistenceContract.ts';

export function runLocalStoreContract(name: string, h: ContractHarness<LocalStore>): void {
  describe(`LocalStore contract: ${name}`, () => {
    const { make, again, closeAll } = layerTracker(h);

    it('lists no document when it holds none', async () => {
      const l = await make();
      expect(await l.listDocs()).toEqual([]);
      expect(await l.load('nope')).toEqual([]);
      expect(await l.listDocs()).toEqual([]);
      await closeAll();
    });

    it('lists the documents of its own space, after a reopen too', async () => {
      const a = await make('space-a');
      const b = await make('space-b');
      await a.save('p1', typingUpdates('one')[0]!);
      await a.save('p2', typingUpdates('two', 2)[0]!);
      await b.save('p1', typingUpdates('x', 3)[0]!);
      expect((await a.listDocs()).sort()).toEqual(['p1', 'p2']);
      expect(await b.listDocs()).toEqual(['p1']);
      await a.close();
      expect((await (await again('space-a')).listDocs()).sort()).toEqual(['p1', 'p2']);
      await closeAll();
    });

    it('deletes one document and nothing else', async () => {
      const l = await make();
      await l.save('p1', typingUpdates('a')[0]!);
      await l.save('p2', typingUpdates('b', 2)[0]!);
      await l.deleteDoc('p1');
      expect(await l.load('p1')).toEqual([]);
      expect(await l.listDocs()).toEqual(['p2']);
      await l.close();
      const r = await again();
      expect(await r.load('p1')).toEqual([]);
      expect(textOf(await r.load('p2'))).toBe('b');
      await closeAll();
    });

    it('sets rows aside so they no longer load, and keeps the others', async () => {
      const l = await make();
      const [u1, u2, u3] = typingUpdates('abc');
      await l.save('p1', u1!);
      await l.save('p1', u2!);
      await l.save('p1', u3!);
      const rows = await l.load('p1');
      expect(rows).toHaveLength(3);
      const bad = rows[2]!;
      await l.setAside('p1', [bad.key]);
      const after = await l.load('p1');
      expect(after.map((r) => r.key)).not.toContain(bad.key);
      expect(after).toHaveLength(2);
      await l.close();
      expect(await (await again()).load('p1')).toHaveLength(2);
      await closeAll();
    });

    it('destroys everything it holds for its space and only that space', async () => {
      const a = await make('space-a');
      const b = await make('space-b');
      await a.save('p1', typingUpdates('a')[0]!);
      await b.save('p1', typingUpdates('b')[0]!);
      await a.destroy();
      const r = await again('space-a');
      expect(await r.listDocs()).toEqual([]);
      expect(await r.load('p1')).toEqual([]);
      expect(textOf(await b.load('p1'))).toBe('b');
      await closeAll();
    });
  });
}

/** For a local store that keeps the space's secrets too (IndexedDbLayer, MemoryLayer). */
export function runSecretStoreContract(name: string, h: ContractHarness<LocalStore & SecretStore>): void {
  describe(`SecretStore contract: ${name}`, () => {
    const { make, again, closeAll } = layerTracker(h);

    it('merges secrets and keeps them across a reopen', async () => {
      const l = await make();
      expect(await l.loadSecrets()).toEqual({});
      await l.saveSecrets({ a: '1' });
      await l.saveSecrets({ b: '2' });
      await l.saveSecrets({ a: '3' });
      await l.close();
      expect(await (await again()).loadSecrets()).toEqual({ a: '3', b: '2' });
      await closeAll();
    });

    it('keeps the secrets of each space apart, and destroying a space removes its own', async () => {
      const a = await make('space-a');
      const b = await make('space-b');
      await a.saveSecrets({ k: 'a' });
      await b.saveSecrets({ k: 'b' });
      await a.destroy();
      expect(await (await again('space-a')).loadSecrets()).toEqual({});
      expect(await b.loadSecrets()).toEqual({ k: 'b' });
      await closeAll();
    });
  });
}
