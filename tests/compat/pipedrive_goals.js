// Pipedrive's official Node client (v1 GoalsApi) end to end against goalpost:
//   node pipedrive_goals.js BASE_URL TOKEN
// Sets up lookups, deals and activities through goalpost's own routes, then adds, finds,
// updates, reads results of and deletes goals through the client, checking every answer.
const assert = require('node:assert/strict');
const { Configuration, GoalsApi } = require('pipedrive/v1');

const [base, token] = process.argv.slice(2);
const api = new GoalsApi(new Configuration({ apiKey: token, basePath: `${base}/api/v1` }));
const bearer = new GoalsApi(new Configuration({ accessToken: token, basePath: `${base}/v1` }));

async function call(method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function rejects(promise, status, pattern) {
  try {
    await promise;
  } catch (e) {
    // The client rejects with the error body itself (its errorInterceptor).
    assert.equal(e.success, false, `expected Pipedrive's error body, got ${JSON.stringify(e)}`);
    assert.equal(e.errorCode, status, JSON.stringify(e));
    assert.match(e.error, pattern);
    return;
  }
  assert.fail(`expected a ${status}`);
}

async function main() {
  await call('PUT', '/goalpost/v1/lookups/currencies/2', { code: 'EUR', name: 'Euro' });
  await call('PUT', '/goalpost/v1/lookups/activity_types/5', { key_string: 'call', name: 'Call' });
  const deal = (p) => ({ properties: p });
  await call('POST', '/crm/v3/objects/deals/batch/create', {
    inputs: [
      deal({ title: 'a', value: '100', currency: 'EUR', status: 'won', pipeline_id: '1', user_id: '1', won_time: '2026-02-10 10:00:00' }),
      deal({ title: 'b', value: '40', currency: 'USD', status: 'won', pipeline_id: '1', user_id: '1', won_time: '2026-02-11 10:00:00' }),
      deal({ title: 'c', value: '25.5', currency: 'EUR', status: 'won', pipeline_id: '2', user_id: '1', won_time: '2026-03-01 00:00:00' }),
      deal({ title: 'd', value: '999', currency: 'EUR', status: 'won', pipeline_id: '1', user_id: '2', won_time: '2026-02-12 10:00:00' }),
    ],
  });
  await call('POST', '/crm/v3/objects/activities/batch/create', {
    inputs: [
      { properties: { subject: 'x', type: 'call', user_id: '1', done: 'true', marked_as_done_time: '2026-01-20 12:00:00' } },
      { properties: { subject: 'y', type: 'email', user_id: '1', done: 'true', marked_as_done_time: '2026-01-21 12:00:00' } },
    ],
  });

  // add
  const added = await api.addGoal({
    AddGoalRequest: {
      title: 'Won in EUR',
      assignee: { id: 1, type: 'person' },
      type: { name: 'deals_won', params: { pipeline_id: [1, 2] } },
      expected_outcome: { target: 150, tracking_metric: 'sum', currency_id: 2 },
      duration: { start: '2026-01-01', end: '2026-06-30' },
      interval: 'monthly',
    },
  });
  assert.equal(added.success, true);
  const goal = added.data.goal;
  assert.match(goal.id, /^[0-9a-f]{32}$/);
  assert.equal(goal.title, 'Won in EUR');
  assert.deepEqual(goal.type, { name: 'deals_won', params: { pipeline_id: [1, 2], activity_type_id: null } });
  assert.deepEqual(goal.expected_outcome, { target: 150, tracking_metric: 'sum', currency_id: 2 });
  assert.deepEqual(goal.duration, { start: '2026-01-01', end: '2026-06-30' });
  assert.equal(goal.is_active, false);
  assert.equal(goal.report_ids.length, 1);

  const calls = await bearer.addGoal({
    AddGoalRequest: {
      title: 'Calls done',
      assignee: { id: '1', type: 'person' },
      type: { name: 'activities_completed', params: { activity_type_id: [5] } },
      expected_outcome: { target: '10', tracking_metric: 'quantity' },
      duration: { start: '2026-01-01', end: null },
      interval: 'weekly',
    },
  });
  assert.equal(calls.data.goal.duration.end, null);
  assert.equal(calls.data.goal.is_active, true);

  // find: default is my active goals; filters widen; both array encodings
  let found = await api.getGoals({});
  assert.deepEqual(found.data.goals.map((g) => g.id), [calls.data.goal.id]);
  found = await api.getGoals({ is_active: false, type_params_pipeline_id: [1, 2] });
  assert.deepEqual(found.data.goals.map((g) => g.id), [goal.id]);
  found = await api.getGoals({ is_active: false, type_name: 'deals_won', period_start: '2026-03-01', period_end: '2026-03-31' });
  assert.equal(found.data.goals.length, 1);
  found = await api.getGoals({ is_active: false, period_start: '2027-01-01', period_end: '2027-02-01', type_name: 'deals_won' });
  assert.equal(found.data.goals.length, 0);
  await rejects(api.getGoals({ period_start: '2026-01-01' }), 400, /period\.end/);

  // results: EUR won deals of user 1 in pipelines 1, 2
  let res = await api.getGoalResult({ id: goal.id, period_start: '2026-01-01', period_end: '2026-06-30' });
  assert.equal(res.data.progress, 125.5);
  assert.equal(res.data.goal.id, goal.id);
  res = await api.getGoalResult({ id: goal.id, period_start: '2026-02-01', period_end: '2026-02-28' });
  assert.equal(res.data.progress, 100);
  await rejects(api.getGoalResult({ id: goal.id, period_start: '2025-12-01', period_end: '2026-02-28' }), 400, /period\.start/);
  res = await api.getGoalResult({ id: calls.data.goal.id, period_start: '2026-01-01', period_end: '2026-01-31' });
  assert.equal(res.data.progress, 1);

  // update: partial merge; the title shows on the HubSpot side too
  const updated = await api.updateGoal({ id: goal.id, BasicGoalRequest: { title: 'Renamed', expected_outcome: { target: 200 } } });
  assert.equal(updated.data.goal.title, 'Renamed');
  assert.equal(updated.data.goal.expected_outcome.target, 200);
  assert.equal(updated.data.goal.expected_outcome.currency_id, 2);
  const slices = await call('POST', '/crm/v3/objects/goal_targets/search', {
    filterGroups: [{ filters: [{ propertyName: 'hs_goal_name', operator: 'EQ', value: 'Renamed' }] }],
    properties: ['hs_target_amount', 'hs_milestone'],
  });
  assert.equal(slices.total, 6);
  assert.equal(slices.results[0].properties.hs_target_amount, '200');
  await rejects(api.updateGoal({ id: goal.id, BasicGoalRequest: { interval: 'daily' } }), 400, /interval/);

  // delete: soft; afterwards 404 everywhere
  const deleted = await api.deleteGoal({ id: goal.id });
  assert.equal(deleted.success, true);
  await rejects(api.getGoalResult({ id: goal.id, period_start: '2026-01-01', period_end: '2026-01-31' }), 404, /not found/i);
  await rejects(api.updateGoal({ id: goal.id, BasicGoalRequest: { title: 'x' } }), 404, /not found/i);
  found = await api.getGoals({ is_active: false, type_name: 'deals_won' });
  assert.equal(found.data.goals.length, 0);

  // Every example fragment of the spec's add and update bodies, as written (ids and targets as
  // strings, activity_type_id beside a deals_started type, an open end).
  const documented = await api.addGoal({
    AddGoalRequest: {
      title: 'Documented',
      assignee: { id: '1', type: 'person' },
      type: { name: 'deals_started', params: { pipeline_id: [1, 2], activity_type_id: [9] } },
      expected_outcome: { target: '50', tracking_metric: 'quantity' },
      duration: { start: '2019-01-01', end: '2022-12-31' },
      interval: 'monthly',
    },
  });
  assert.deepEqual(documented.data.goal.type.params.activity_type_id, [9]);
  for (const part of [
    { expected_outcome: { target: '50', tracking_metric: 'sum', currency_id: 1 } },
    { duration: { start: '2019-01-01', end: null } },
    { assignee: { id: '1', type: 'person' } },
  ]) {
    const r = await api.updateGoal({ id: documented.data.goal.id, BasicGoalRequest: part });
    assert.equal(r.success, true);
  }
  // find with the documented array parameters (the client repeats the key)
  found = await api.getGoals({ type_params_pipeline_id: [1], type_params_activity_type_id: [9] });
  assert.ok(found.data.goals.some((g) => g.id === documented.data.goal.id));

  // a bad token is Pipedrive's 401
  const stranger = new GoalsApi(new Configuration({ apiKey: 'nope', basePath: `${base}/v1` }));
  await rejects(stranger.getGoals({}), 401, /unauthorized/);
  console.log('pipedrive client: ok');
}

main().catch((e) => {
  console.error(e instanceof Error ? e : JSON.stringify(e));
  process.exit(1);
});
