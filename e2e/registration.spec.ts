/**
 * A relay that accepts new spaces only with its operator's access code (QUIRE_RELAY_REGISTRATION_SECRET,
 * relay/registrationPolicy.ts): "Start syncing" without the code stops with the relay's reason, and the
 * owner enters the code in the Share dialog and starts again; then an invitee joins without any code.
 */
import { expect, test } from './fixtures.ts';
import { createInvite, join, relayRig, syncStatus } from './devices.ts';
import { addPage, createSpace, sidebar, tree } from './helpers.ts';

const ACCESS_CODE = 'let-me-in-7';
const rig = relayRig('registration', { env: { QUIRE_RELAY_REGISTRATION_SECRET: ACCESS_CODE } });

test('without the relay access code "Start syncing" is refused with the reason; with it the space syncs and an invitee joins', async ({ browser, baseURL }) => {
  const owner = await rig.device(browser, baseURL);
  await createSpace(owner.page, 'Club');
  await addPage(owner.page, 'Minutes');
  await sidebar(owner.page).getByRole('button', { name: 'Share', exact: true }).click();
  const dialog = owner.page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: 'Relay URL' }).fill(rig.relay.url);
  await dialog.getByRole('button', { name: 'Start syncing' }).click();

  await expect(syncStatus(owner.page)).toContainText('accepts new spaces only with an access code', { timeout: 20_000 });
  await expect(dialog).toContainText('The relay did not take this space');
  await dialog.getByRole('textbox', { name: 'Relay access code' }).fill(ACCESS_CODE);
  await dialog.getByRole('button', { name: 'Start syncing with this code' }).click();
  await expect(syncStatus(owner.page)).toContainText('Synced', { timeout: 20_000 });
  await expect(dialog.getByRole('button', { name: 'Start syncing with this code' })).toHaveCount(0);

  const link = await createInvite(owner.page, 'Editor');
  const guest = await rig.device(browser, baseURL);
  await join(guest, link, 'Guest');
  await expect(tree(guest.page).getByRole('treeitem', { name: 'Minutes', exact: true })).toBeVisible({ timeout: 20_000 });
  await expect(syncStatus(guest.page)).toContainText('Synced', { timeout: 20_000 });
});
