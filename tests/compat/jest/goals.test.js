// Goals through HubSpot's and Pipedrive's official Node clients, each test in its own portal.
const hubspot = require('@hubspot/api-client');
const { Configuration, GoalsApi } = require('pipedrive/v1');
const { startGoalpost, newPortal } = require('./goalpost');

let server;
let portal;
beforeAll(async () => { server = await startGoalpost(); });
afterAll(() => server.stop());
beforeEach(async () => { portal = await newPortal(server.base); });
afterEach(() => portal.remove());

const goals = () => new hubspot.Client({
  accessToken: portal.token, basePath: server.base, numberOfApiCallRetries: 3,
}).crm.objects.goals;

test('each test sees only its own portal', async () => {
  await goals().basicApi.create({ properties: {
    hs_goal_name: 'Revenue', hs_milestone: 'yearly', hs_target_amount: '1000',
    hs_start_datetime: '2027-01-01T00:00:00Z', hs_end_datetime: '2027-12-31T23:59:59.999Z',
    hs_group_correlation_uuid: 'family-1', hs_goal_target_group_id: 'g-1',
  } });
  const page = await goals().searchApi.doSearch({ limit: 1 });
  expect(page.total).toBe(1);
});

test('the client retries a server error', async () => {
  await portal.control('POST', '/faults', { kind: 'error', status: 503, every: 2 });
  for (let i = 0; i < 3; i += 1) await goals().basicApi.getPage(1); // each 503 is retried
  const { results } = await portal.control('GET', '/requests');
  expect(results.map((r) => r.status)).toEqual([200, 503, 200, 503, 200]);
});

test("Pipedrive's is_active follows the portal's clock", async () => {
  await portal.control('PUT', '/clock', { now: '2027-01-15T09:00:00Z' });
  const api = new GoalsApi(new Configuration({ apiKey: portal.token, basePath: `${server.base}/api/v1` }));
  await api.addGoal({ AddGoalRequest: {
    title: 'January', assignee: { id: 1, type: 'person' }, type: { name: 'deals_won' },
    expected_outcome: { target: 5, tracking_metric: 'quantity' },
    duration: { start: '2027-01-01', end: '2027-01-31' }, interval: 'monthly',
  } });
  await portal.control('POST', '/clock/advance', { days: 30 });
  const found = await api.getGoals({ is_active: false });
  expect(found.data.goals.map((g) => g.title)).toEqual(['January']);
});
