// HubSpot's official Node client (@hubspot/api-client, pinned in package.json) end to end
// against goalpost:   node hubspot_node.js BASE_URL TOKEN
// The client's generated APIs call the v3 and v4 paths: basic, batch, search, properties,
// property groups and associations (with labels) go through them. The date-versioned paths (2025-09, 2026-03, 2026-09) go through the
// same client's apiRequest (its auth, retries and base path), checking each version's shapes.
const assert = require('node:assert/strict');
const hubspot = require('@hubspot/api-client');

const [base, token] = process.argv.slice(2);
const client = new hubspot.Client({ accessToken: token, basePath: base, numberOfApiCallRetries: 0 });
const goals = client.crm.objects.goals;
const props = client.crm.properties;

const year = (name, uuid, group) => ({
  hs_goal_name: name,
  hs_milestone: 'yearly',
  hs_target_amount: '1200',
  hs_start_datetime: '2028-01-01T00:00:00Z',
  hs_end_datetime: '2028-12-31T23:59:59.999Z',
  hs_group_correlation_uuid: uuid,
  hs_goal_target_group_id: group,
  hubspot_owner_id: '7',
});

async function expectStatus(promise, status) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.code, status, `expected ${status}: ${e.message}`);
    return e;
  }
  assert.fail(`expected HTTP ${status}, the call succeeded`);
}

async function raw(method, path, body) {
  const res = await client.apiRequest({ method, path, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

async function generated() {
  // Basic: create, read, update, list, archive.
  const one = await goals.basicApi.create({ properties: year('Node single', 'node-1', 'n1'), associations: [] });
  assert.ok(one.id);
  assert.equal(one.properties.hs_goal_name, 'Node single');
  const read = await goals.basicApi.getById(one.id, ['hs_target_amount'], ['hs_target_amount']);
  assert.equal(read.properties.hs_target_amount, '1200');
  const updated = await goals.basicApi.update(one.id, { properties: { hs_goal_name: 'Node renamed' } });
  assert.equal(updated.properties.hs_goal_name, 'Node renamed');

  // Batch: create with trace ids, read, update, archive.
  const created = await goals.batchApi.create({
    inputs: [
      { properties: year('Node batch A', 'node-2', 'n2'), associations: [], objectWriteTraceId: 'a' },
      { properties: year('Node batch B', 'node-3', 'n3'), associations: [], objectWriteTraceId: 'b' },
    ],
  });
  assert.equal(created.status, 'COMPLETE');
  assert.deepEqual(created.results.map((o) => o.objectWriteTraceId).sort(), ['a', 'b']);
  assert.ok(created.requestedAt instanceof Date);
  const ids = created.results.map((o) => o.id);
  const page = await goals.basicApi.getPage(1);
  assert.equal(page.results.length, 1);
  assert.ok(page.paging.next.after && page.paging.next.link);
  const batchRead = await goals.batchApi.read({ inputs: ids.map((id) => ({ id })), properties: ['hs_goal_name'], propertiesWithHistory: [] });
  assert.equal(batchRead.results.length, 2);
  const batchUpdated = await goals.batchApi.update({
    inputs: ids.map((id) => ({ id, properties: { hs_target_amount: '2400' } })),
  });
  assert.ok(batchUpdated.results.every((o) => o.properties.hs_target_amount === '2400'));

  // Search: a filter, sorting and paging with the exact total.
  const found = await goals.searchApi.doSearch({
    filterGroups: [{ filters: [{ propertyName: 'hs_goal_name', operator: 'CONTAINS_TOKEN', value: 'batch' }] }],
    sorts: ['hs_goal_name'],
    properties: ['hs_goal_name'],
    limit: 1,
    after: '0',
  });
  assert.equal(found.total, 2);
  assert.equal(found.results[0].properties.hs_goal_name, 'Node batch A');
  assert.ok(found.paging.next.after);

  await goals.batchApi.archive({ inputs: ids.map((id) => ({ id })) });
  await goals.basicApi.archive(one.id);
  await expectStatus(goals.basicApi.getById(one.id), 404);

  // Properties and property groups.
  const group = await props.groupsApi.create('goal_targets', { name: 'node_plan', label: 'Node plan', displayOrder: 3 });
  assert.equal(group.name, 'node_plan');
  assert.equal((await props.groupsApi.getByName('goal_targets', 'node_plan')).label, 'Node plan');
  assert.equal((await props.groupsApi.update('goal_targets', 'node_plan', { label: 'Node plan 2028' })).label, 'Node plan 2028');
  const groups = await props.groupsApi.getAll('goal_targets');
  assert.ok(groups.results.some((g) => g.name === 'node_plan'));
  const prop = await props.coreApi.create('goal_targets', {
    name: 'node_region', label: 'Region', type: 'string', fieldType: 'text', groupName: 'node_plan',
  });
  assert.equal(prop.groupName, 'node_plan');
  assert.ok((await props.coreApi.getAll('goal_targets')).results.some((p) => p.name === 'node_region'));
  assert.equal((await props.coreApi.update('goal_targets', 'node_region', { label: 'Sales region' })).label, 'Sales region');
  await expectStatus(props.groupsApi.archive('goal_targets', 'node_plan'), 400);
  await props.coreApi.archive('goal_targets', 'node_region');
  await props.groupsApi.archive('goal_targets', 'node_plan');
  await expectStatus(props.groupsApi.getByName('goal_targets', 'node_plan'), 404);
}

async function associated() {
  // Associations v4 through the client's associations.v4 APIs, labels through its schema API.
  // (The client's models name `from` `_from` and send it as `from`.)
  const v4 = client.crm.associations.v4;
  const deal = await client.crm.deals.basicApi.create({ properties: { title: 'Node deal' }, associations: [] });
  const goal = await goals.basicApi.create({ properties: year('Node linked', 'node-a', 'na'), associations: [] });
  const made = await v4.basicApi.createDefault('goal_targets', goal.id, 'deals', deal.id);
  assert.equal(made.results[0].associationSpec.associationTypeId, 1001);
  const labels = await v4.schema.definitionsApi.create('goal_targets', 'deals', { name: 'node_source', label: 'Source', inverseLabel: 'Counted by' });
  const typeId = labels.results[0].typeId;
  const pair = await v4.basicApi.create('goal_targets', goal.id, 'deals', deal.id, [{ associationCategory: 'USER_DEFINED', associationTypeId: typeId }]);
  assert.deepEqual(pair.labels, ['Source']);
  const page = await v4.basicApi.getPage('deals', deal.id, 'goal_targets');
  assert.equal(page.results[0].toObjectId, goal.id);
  assert.ok(page.results[0].associationTypes.some((t) => t.label === 'Counted by'));
  const read = await v4.batchApi.getPage('goal_targets', 'deals', { inputs: [{ id: goal.id }] });
  assert.equal(read.results[0].to[0].toObjectId, deal.id);
  const withAssoc = await goals.basicApi.getById(goal.id, undefined, undefined, ['deals']);
  assert.ok(withAssoc.associations.deals.results.some((a) => a.id === deal.id));
  const found = await goals.searchApi.doSearch({
    filterGroups: [{ filters: [{ propertyName: 'associations.deal', operator: 'EQ', value: deal.id }] }],
  });
  assert.equal(found.total, 1);
  await v4.batchApi.archiveLabels('goal_targets', 'deals', { inputs: [{ _from: { id: goal.id }, to: { id: deal.id }, types: [{ associationCategory: 'USER_DEFINED', associationTypeId: typeId }] }] });
  await v4.schema.definitionsApi.update('goal_targets', 'deals', { associationTypeId: typeId, label: 'Quota source' });
  assert.ok((await v4.schema.definitionsApi.getAll('goal_targets', 'deals')).results.some((l) => l.label === 'Quota source'));
  await v4.schema.definitionsApi.remove('goal_targets', 'deals', typeId);
  await v4.batchApi.archive('goal_targets', 'deals', { inputs: [{ _from: { id: goal.id }, to: [{ id: deal.id }] }] });
  assert.equal((await v4.basicApi.getPage('goal_targets', goal.id, 'deals')).results.length, 0);
  const created = await v4.batchApi.create('goal_targets', 'deals', {
    inputs: [{ _from: { id: goal.id }, to: { id: deal.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1001 }] }],
  });
  assert.equal(created.results.length, 1);
  const byDefault = await v4.batchApi.createDefault('goal_targets', 'deals', { inputs: [{ _from: { id: goal.id }, to: { id: deal.id } }] });
  assert.equal(byDefault.results[0].associationSpec.associationTypeId, 1001);
  await v4.basicApi.archive('goal_targets', goal.id, 'deals', deal.id);
  await expectStatus(v4.basicApi.create('goal_targets', goal.id, 'deals', deal.id, [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 7 }]), 400);
}

function ok(r, status) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}

// Every route of a date version, through the client's apiRequest.
async function versioned(version, n) {
  const objects = `/crm/objects/${version}/goal_targets`;
  const properties = `/crm/properties/${version}/goal_targets`;
  const pairs = `/crm/associations/${version}/goal_targets/goal_targets`;
  const envelope = version === '2025-09';
  const made = envelope ? 200 : 201;
  const unwrap = (body) => (envelope ? body.entity : body);

  // Properties and groups first: a unique key for upserts, in a group of its own.
  const group = unwrap(ok(await raw('POST', `${properties}/groups`, { name: `plan_${n}`, label: 'Plan' }), made));
  assert.equal(group.name, `plan_${n}`);
  assert.equal(ok(await raw('GET', `${properties}/groups/plan_${n}`), 200).label, 'Plan');
  assert.equal(ok(await raw('PATCH', `${properties}/groups/plan_${n}`, { label: 'Plan 2' }), 200).label, 'Plan 2');
  assert.ok(ok(await raw('GET', `${properties}/groups`), 200).results.some((g) => g.name === `plan_${n}`));
  const key = `vkey_${n}`;
  const prop = unwrap(ok(await raw('POST', properties, { name: key, label: 'Key', type: 'string', fieldType: 'text', groupName: `plan_${n}`, hasUniqueValue: true }), made));
  assert.equal(prop.hasUniqueValue, true);
  assert.equal(ok(await raw('PATCH', `${properties}/${key}`, { label: 'Plan key' }), 200).label, 'Plan key');
  assert.equal(ok(await raw('GET', `${properties}/${key}`), 200).groupName, `plan_${n}`);
  assert.ok(ok(await raw('GET', properties), 200).results.some((p) => p.name === key));
  ok(await raw('POST', `${properties}/batch/create`, { inputs: [{ name: `extra_${n}`, label: 'Extra', type: 'string', fieldType: 'text', groupName: `plan_${n}` }] }), 201);
  assert.equal(ok(await raw('POST', `${properties}/batch/read`, { inputs: [{ name: `extra_${n}` }], archived: false }), 200).results.length, 1);
  ok(await raw('POST', `${properties}/batch/archive`, { inputs: [{ name: `extra_${n}` }] }), 204);

  // Objects: every basic and batch route.
  const created = ok(await raw('POST', objects, { properties: year(`V ${version}`, `v-${n}`, `v${n}`), associations: [] }), made);
  const entity = unwrap(created);
  if (envelope) {
    assert.equal(created.createdResourceId, entity.id);
    assert.equal(created.location, `${objects}/${entity.id}`);
  }
  assert.equal(ok(await raw('GET', `${objects}/${entity.id}?properties=hs_goal_name`), 200).properties.hs_goal_name, `V ${version}`);
  assert.equal(ok(await raw('PATCH', `${objects}/${entity.id}`, { properties: { [key]: `K${n}` } }), 200).properties[key], `K${n}`);
  const batch = ok(await raw('POST', `${objects}/batch/create`, {
    inputs: [{ properties: year(`VB ${version}`, `vb-${n}`, `vb${n}`), associations: [] }],
  }), made);
  assert.equal(batch.status, 'COMPLETE');
  const other = batch.results[0].id;
  assert.equal(ok(await raw('POST', `${objects}/batch/read`, { inputs: [{ id: entity.id }], properties: [], propertiesWithHistory: [] }), 200).results[0].id, entity.id);
  ok(await raw('POST', `${objects}/batch/update`, { inputs: [{ id: other, properties: { hs_target_amount: '2400' } }] }), 200);
  const up = ok(await raw('POST', `${objects}/batch/upsert`, { inputs: [{ id: `K${n}`, idProperty: key, properties: { hs_target_amount: '1800' } }] }), 200);
  assert.equal(up.results[0].id, entity.id);
  assert.equal(ok(await raw('POST', `${objects}/search`, {
    filterGroups: [{ filters: [{ propertyName: 'hs_goal_name', operator: 'EQ', value: `V ${version}` }] }],
  }), 200).total, 1);
  assert.ok(ok(await raw('GET', `${objects}?limit=100`), 200).results.some((o) => o.id === entity.id));

  // Associations: object routes, the pair's labels and batches.
  const linked = ok(await raw('PUT', `${objects}/${entity.id}/associations/default/goal_targets/${other}`), 200);
  assert.equal(linked.results[0].to.id, other);
  assert.equal(ok(await raw('GET', `${objects}/${entity.id}/associations/goal_targets`), 200).results[0].toObjectId, other);
  const label = ok(await raw('POST', `${pairs}/labels`, { name: `peer_${n}`, label: 'Peer' }), 200).results[0].typeId;
  ok(await raw('PUT', `${pairs}/labels`, { associationTypeId: label, label: 'Peer goal' }), 204);
  assert.ok(ok(await raw('GET', `${pairs}/labels`), 200).results.some((l) => l.label === 'Peer goal'));
  const spec = [{ associationCategory: 'USER_DEFINED', associationTypeId: label }];
  assert.deepEqual(ok(await raw('PUT', `${objects}/${entity.id}/associations/goal_targets/${other}`, spec), 201).labels, ['Peer goal']);
  ok(await raw('POST', `${pairs}/batch/labels/archive`, { inputs: [{ from: { id: entity.id }, to: { id: other }, types: spec }] }), 204);
  ok(await raw('POST', `${pairs}/batch/archive`, { inputs: [{ from: { id: entity.id }, to: [{ id: other }] }] }), 200);
  ok(await raw('POST', `${pairs}/batch/create`, { inputs: [{ from: { id: entity.id }, to: { id: other }, types: spec }] }), 201);
  ok(await raw('POST', `${pairs}/batch/associate/default`, { inputs: [{ from: { id: other }, to: { id: entity.id } }] }), 200);
  assert.equal(ok(await raw('POST', `${pairs}/batch/read`, { inputs: [{ id: entity.id }] }), 200).results[0].to[0].toObjectId, other);
  ok(await raw('DELETE', `${objects}/${entity.id}/associations/goal_targets/${other}`), 204);
  ok(await raw('DELETE', `${pairs}/labels/${label}`), 204);

  // Archive everything this version made.
  ok(await raw('POST', `${objects}/batch/archive`, { inputs: [{ id: other }] }), 204);
  ok(await raw('DELETE', `${objects}/${entity.id}`), 204);
  ok(await raw('DELETE', `${properties}/${key}`), 204);
  ok(await raw('DELETE', `${properties}/groups/plan_${n}`), 204);
}

(async () => {
  await generated();
  await associated();
  let n = 0;
  for (const version of ['2025-09', '2026-03', '2026-09']) {
    n += 1;
    await versioned(version, n);
  }
  // The v4 pair routes as HubSpot's associations schema reference also spells them.
  const alias = '/crm/associations/v4/goal_targets/goal_targets';
  const a = ok(await raw('POST', '/crm/v3/objects/goal_targets', { properties: year('Alias A', 'al-1', 'al1') }), 201).id;
  const b = ok(await raw('POST', '/crm/v3/objects/goal_targets', { properties: year('Alias B', 'al-2', 'al2') }), 201).id;
  assert.equal(ok(await raw('GET', `${alias}/labels`), 200).results[0].typeId, 1000);
  const peer = ok(await raw('POST', `${alias}/labels`, { name: 'alias_peer', label: 'Peer' }), 200).results[0].typeId;
  ok(await raw('PUT', `${alias}/labels`, { associationTypeId: peer, label: 'Peer goal' }), 204);
  const spec = [{ associationCategory: 'USER_DEFINED', associationTypeId: peer }];
  ok(await raw('POST', `${alias}/batch/create`, { inputs: [{ from: { id: a }, to: { id: b }, types: spec }] }), 201);
  ok(await raw('POST', `${alias}/batch/associate/default`, { inputs: [{ from: { id: b }, to: { id: a } }] }), 200);
  assert.equal(ok(await raw('POST', `${alias}/batch/read`, { inputs: [{ id: a }] }), 200).results[0].to[0].toObjectId, b);
  ok(await raw('POST', `${alias}/batch/labels/archive`, { inputs: [{ from: { id: a }, to: { id: b }, types: spec }] }), 204);
  ok(await raw('POST', `${alias}/batch/archive`, { inputs: [{ from: { id: a }, to: [{ id: b }] }] }), 204);
  ok(await raw('DELETE', `${alias}/labels/${peer}`), 204);
  const unknown = await raw('GET', '/crm/objects/2024-01/goal_targets');
  assert.equal(unknown.status, 404);
  assert.match(unknown.body.message, /2025-09, 2026-03, 2026-09/);
  console.log('hubspot_node.js: ok');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
