"""Drives HubSpot's official Python client (hubspot-api-client 12.0.0, crm.objects.goals)
against a running goalpost: every basic and batch endpoint, plus errors. Usage:
    python hubspot_goals.py BASE_URL TOKEN
Exits non-zero on the first failed check."""
import sys

from hubspot import HubSpot
from hubspot.crm.objects.goals import (
    ApiException,
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchInputSimplePublicObjectId,
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInput,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectBatchInputUpsert,
    SimplePublicObjectId,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)

base_url, token = sys.argv[1], sys.argv[2]
client = HubSpot(access_token=token, host=base_url)
goals = client.crm.objects.goals


def month(m, name="Client family", owner="7"):
    end_day = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]  # 2027
    return {
        "hs_goal_name": name,
        "hs_milestone": "monthly",
        "hs_target_amount": f"{1000 * m}.00",
        "hs_start_datetime": f"2027-{m:02d}-01T00:00:00Z",
        "hs_end_datetime": f"2027-{m:02d}-{end_day}T23:59:59.999Z",
        "hs_group_correlation_uuid": "5c1a9c1e-0000-4000-8000-000000000001",
        "hs_goal_target_group_id": "1001",
        "hubspot_owner_id": owner,
    }


def expect_error(status, fn):
    try:
        fn()
    except ApiException as e:
        assert e.status == status, f"expected {status}, got {e.status}: {e.body}"
        return e
    raise AssertionError(f"expected HTTP {status}, call succeeded")


# A whole monthly family in one batch (goalpost enforces HubSpot's family rules).
batch = goals.batch_api.create(BatchInputSimplePublicObjectBatchInputForCreate(
    inputs=[SimplePublicObjectBatchInputForCreate(properties=month(m)) for m in range(1, 13)]))
assert batch.status == "COMPLETE" and len(batch.results) == 12
by_start = sorted(batch.results, key=lambda o: o.properties["hs_start_datetime"])
assert by_start[0].properties["hs_start_datetime"] == "2027-01-01T00:00:00.000Z"
first = by_start[0]

# A yearly goal is one slice, so a single create makes a whole group: a fiscal year from April.
yearly = goals.basic_api.create(SimplePublicObjectInputForCreate(properties={
    "hs_goal_name": "Fiscal 2027", "hs_milestone": "yearly", "hs_target_amount": "120000",
    "hs_start_datetime": "2027-04-01T00:00:00Z", "hs_end_datetime": "2028-03-31T23:59:59.999Z",
    "hs_group_correlation_uuid": "5c1a9c1e-0000-4000-8000-000000000002", "hs_goal_target_group_id": "2001"}))
assert yearly.properties["hs_end_datetime"] == "2028-03-31T23:59:59.999Z"

# One monthly slice alone is not a goal year: refused, nothing written.
e = expect_error(400, lambda: goals.basic_api.create(SimplePublicObjectInputForCreate(
    properties=dict(month(1), hs_goal_target_group_id="3001", hs_group_correlation_uuid="other"))))
assert "rule 3" in e.body, e.body
left = goals.search_api.do_search(public_object_search_request=PublicObjectSearchRequest(filter_groups=[
    FilterGroup(filters=[Filter(property_name="hs_goal_target_group_id", operator="EQ", value="3001")])]))
assert left.total == 0, "a refused create leaves nothing behind"

# Read with history, update one slice's own target.
got = goals.basic_api.get_by_id(first.id, properties=["hs_goal_name", "hs_target_amount"],
                                properties_with_history=["hs_target_amount"])
assert got.properties["hs_target_amount"] == "1000.00"
assert got.properties_with_history["hs_target_amount"][0].value == "1000.00"
updated = goals.basic_api.update(first.id, SimplePublicObjectInput(properties={"hs_target_amount": "1500"}))
assert updated.properties["hs_target_amount"] == "1500"
# Renaming one slice of the family breaks rule 4: refused.
e = expect_error(400, lambda: goals.basic_api.update(first.id, SimplePublicObjectInput(properties={"hs_goal_name": "Solo"})))
assert "rule 4" in e.body and "hs_goal_name" in e.body

ids = [o.id for o in batch.results]
read = goals.batch_api.read(BatchReadInputSimplePublicObjectId(
    inputs=[SimplePublicObjectId(id=i) for i in ids], properties=["hs_goal_name"], properties_with_history=[]))
assert sorted(o.id for o in read.results) == sorted(ids)
# Renaming the whole family at once is fine.
renamed = goals.batch_api.update(BatchInputSimplePublicObjectBatchInput(
    inputs=[SimplePublicObjectBatchInput(id=i, properties={"hs_goal_name": "Renamed"}) for i in ids]))
assert all(o.properties["hs_goal_name"] == "Renamed" for o in renamed.results)
up = goals.batch_api.upsert(BatchInputSimplePublicObjectBatchInputUpsert(
    inputs=[SimplePublicObjectBatchInputUpsert(id=first.id, id_property="hs_object_id",
                                               properties={"hs_kpi_value": "250"})]))
assert up.results[0].new is False and up.results[0].properties["hs_kpi_value"] == "250"
ids = ids + [yearly.id]

# Page through everything with the client's own paging.
seen, after = [], None
while True:
    page = goals.basic_api.get_page(limit=5, after=after, properties=["hs_goal_name"])
    seen += [o.id for o in page.results]
    if not page.paging:
        break
    after = page.paging.next.after
assert sorted(seen, key=int) == sorted(ids, key=int), (seen, ids)

# Errors come back as ApiException with HubSpot's body.
e = expect_error(400, lambda: goals.basic_api.create(SimplePublicObjectInputForCreate(properties={"no_such": "x"})))
assert "PROPERTY_DOESNT_EXIST" in e.body
expect_error(404, lambda: goals.basic_api.get_by_id("999999999"))
expect_error(401, lambda: HubSpot(access_token="wrong", host=base_url).crm.objects.goals.basic_api.get_page())

# Archive one, then the rest in a batch.
goals.basic_api.archive(ids[0])
expect_error(404, lambda: goals.basic_api.get_by_id(ids[0]))
goals.batch_api.archive(BatchInputSimplePublicObjectId(inputs=[SimplePublicObjectId(id=i) for i in ids[1:]]))
assert goals.basic_api.get_page().results == []
archived = goals.basic_api.get_page(archived=True, limit=100)
assert len(archived.results) == 13 and all(o.archived for o in archived.results)
print("hubspot python client: all checks passed")
